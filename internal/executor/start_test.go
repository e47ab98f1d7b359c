package executor_test

import (
	"bufio"
	"context"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"testing"

	"github.com/asknix/ask-nix/internal/executor"
)

func TestMain(m *testing.M) {
	switch os.Getenv("ASKNIX_EXECUTOR_CHILD") {
	case "1":
		// The started program: echo descriptor 3 onto descriptor 4.
		b, _ := io.ReadAll(os.NewFile(3, "in"))
		os.NewFile(4, "out").Write(append([]byte("child: "), b...))
		os.Exit(0)
	case "term":
		// Say it is ready on descriptor 3, then say which signal ended it.
		c := make(chan os.Signal, 1)
		signal.Notify(c, syscall.SIGTERM)
		out := os.NewFile(3, "out")
		out.WriteString("ready\n")
		<-c
		out.WriteString("SIGTERM\n")
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestInterruptSendsSIGTERM: with Interrupt, a cancelled context ends the program with
// SIGTERM, so that it can finish what it writes (without, exec kills it).
func TestInterruptSendsSIGTERM(t *testing.T) {
	r, w, _ := os.Pipe()
	ctx, cancel := context.WithCancel(t.Context())
	s, err := executor.Start(ctx, executor.Cmd{Argv: []string{os.Args[0]}, Env: append(os.Environ(), "ASKNIX_EXECUTOR_CHILD=term"),
		FullEnv: true, ExtraFiles: []*os.File{w}, Interrupt: true})
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	br := bufio.NewReader(r)
	if l, _ := br.ReadString('\n'); l != "ready\n" {
		t.Fatalf("the program said %q", l)
	}
	cancel()
	if l, _ := br.ReadString('\n'); l != "SIGTERM\n" {
		t.Fatalf("after the cancel the program said %q, want SIGTERM", l)
	}
	s.Wait()
}

// TestStartPassesExtraFiles: Start runs the program without waiting, with its extra files
// as descriptors 3 and 4; Wait reports how it ended; a shell is refused as by Run.
func TestStartPassesExtraFiles(t *testing.T) {
	inR, inW, _ := os.Pipe()
	outR, outW, _ := os.Pipe()
	s, err := executor.Start(t.Context(), executor.Cmd{Argv: []string{os.Args[0]}, Env: append(os.Environ(), "ASKNIX_EXECUTOR_CHILD=1"),
		FullEnv: true, ExtraFiles: []*os.File{inR, outW}})
	if err != nil {
		t.Fatal(err)
	}
	inR.Close()
	outW.Close()
	inW.WriteString("hello")
	inW.Close()
	got, _ := io.ReadAll(outR)
	if err := s.Wait(); err != nil {
		t.Fatal(err)
	}
	if string(got) != "child: hello" {
		t.Fatalf("the program answered %q", got)
	}
	if _, err := executor.Start(t.Context(), executor.Cmd{Argv: []string{"sh", "-c", "true"}}); err == nil || !strings.Contains(err.Error(), "never run") {
		t.Fatalf("Start(sh) = %v, want a refusal", err)
	}
}
