//go:build wasip1

package asknix

import "unsafe"

// The host's input and the last result stay referenced here, so Go's garbage collector
// (which does not move objects) keeps the memory the host reads and writes alive.
var (
	rule   Rule
	input  []byte
	result []byte
)

// Register makes f the module's rule. Call it from an init function.
func Register(f Rule) { rule = f }

//go:wasmexport asknix_alloc
func asknixAlloc(size int32) int32 {
	if size < 0 {
		return 0
	}
	input = make([]byte, size+1) // +1: a pointer even for size 0
	return int32(uintptr(unsafe.Pointer(&input[0])))
}

//go:wasmexport asknix_match
func asknixMatch(ptr, size int32) int64 {
	if rule == nil || size < 0 || int(size) >= len(input) || int32(uintptr(unsafe.Pointer(&input[0]))) != ptr {
		return 0
	}
	in, err := DecodeInput(input[:size])
	if err != nil {
		return 0
	}
	out, ok := rule(in)
	if !ok {
		return 0
	}
	if out.Args == nil {
		out.Args = map[string]any{}
	}
	b, err := out.Encode()
	if err != nil {
		return 0
	}
	result = b
	return int64(uintptr(unsafe.Pointer(&result[0])))<<32 | int64(len(result))
}
