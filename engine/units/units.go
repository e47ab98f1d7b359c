// Package units owns how ask-nix writes sizes for people: binary units, one decimal
// ("1.4 KiB", "97.8 KiB", "1.2 GiB").
package units

import "fmt"

// Bytes formats n bytes.
func Bytes(n uint64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := uint64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
