package rules

import "syscall"

const mapNoReserve = syscall.MAP_NORESERVE
