//go:build unix && !linux

package rules

const mapNoReserve = 0
