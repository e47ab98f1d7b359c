package nixstore_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/asknix/ask-nix/nixstore"
)

// The benchmarks read the store bench/run.sh builds ($BENCH_DIR, default
// /var/tmp/ask-nix-bench), or skip.
func benchStore(b *testing.B) (nixstore.Config, string) {
	dir := os.Getenv("BENCH_DIR")
	if dir == "" {
		dir = "/var/tmp/ask-nix-bench"
	}
	cfg := nixstore.Config{StoreDir: filepath.Join(dir, "store"), StateDir: filepath.Join(dir, "var")}
	if _, err := os.Stat(cfg.DBPath()); err != nil {
		b.Skip("run bench/run.sh first to build the benchmark store")
	}
	return cfg, filepath.Join(dir, "profiles", "system")
}

func BenchmarkOpenNative(b *testing.B) {
	cfg, _ := benchStore(b)
	for b.Loop() {
		n, err := nixstore.OpenNative(context.Background(), cfg)
		if err != nil {
			b.Fatal(err)
		}
		n.Close()
	}
}

func BenchmarkClosureSizeOne(b *testing.B) {
	cfg, prof := benchStore(b)
	n, err := nixstore.OpenNative(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer n.Close()
	one, _ := filepath.EvalSymlinks(prof)
	for b.Loop() {
		if _, _, err := n.ClosureSize(context.Background(), one); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGenerationsWithSizes(b *testing.B) {
	cfg, prof := benchStore(b)
	n, err := nixstore.OpenNative(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer n.Close()
	for b.Loop() {
		p, err := nixstore.ReadProfile(prof)
		if err != nil {
			b.Fatal(err)
		}
		if err := nixstore.AddClosureSizes(context.Background(), n, &p); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReadProfile(b *testing.B) {
	_, prof := benchStore(b)
	for b.Loop() {
		if _, err := nixstore.ReadProfile(prof); err != nil {
			b.Fatal(err)
		}
	}
}
