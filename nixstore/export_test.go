package nixstore

import "context"

// MmapSize is SQLite's mmap_size on n's connection, for tests.
func (n *Native) MmapSize(ctx context.Context) int64 {
	var size int64
	if err := n.db.QueryRowContext(ctx, "PRAGMA mmap_size").Scan(&size); err != nil {
		return -1
	}
	return size
}
