;; asknix_match grows its table (declared without a maximum) by a hundred million entries
;; on every call: gigabytes, unless the host capped the table before compiling. Capped,
;; table.grow fails (-1) and the module traps.
(module
  (memory (export "memory") 1)
  (table $t 1 funcref)
  (func (export "asknix_alloc") (param $size i32) (result i32) (i32.const 4096))
  (func (export "asknix_match") (param $ptr i32) (param $len i32) (result i64)
    (if (i32.eq (table.grow $t (ref.null func) (i32.const 100000000)) (i32.const -1))
      (then unreachable))
    (i64.const 0))
)
