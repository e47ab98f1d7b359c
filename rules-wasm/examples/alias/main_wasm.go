//go:build wasip1

package main

// main never runs in a reactor module: the host calls asknix_match.
func main() {}
