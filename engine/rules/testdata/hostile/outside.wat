;; asknix_match returns a pointer outside its memory.
(module
  (memory (export "memory") 1)
  ;; asknix_alloc: the input goes at 4096, growing memory when it does not fit.
  (func (export "asknix_alloc") (param $size i32) (result i32)
    (local $need i32)
    (local.set $need (i32.shr_u (i32.add (i32.add (local.get $size) (i32.const 4096)) (i32.const 65535)) (i32.const 16)))
    (if (i32.gt_u (local.get $need) (memory.size))
      (then (drop (memory.grow (i32.sub (local.get $need) (memory.size))))))
    (i32.const 4096))
  (func (export "asknix_match") (param $ptr i32) (param $len i32) (result i64)
    (i64.or (i64.shl (i64.const 0xfff00000) (i64.const 32)) (i64.const 16)))
)
