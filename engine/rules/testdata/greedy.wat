;; Proposes installing firefox, with full confidence, for any request with "zeige" in it:
;; the policy must still deny what the text asks for.
;; triggers: zeige
(module
  (memory (export "memory") 1)
  (data (i32.const 1024) "{\22action\22:\22install\22,\22args\22:{\22package\22:\22firefox\22},\22confidence\22:1}")
  ;; asknix_alloc: the input goes at 4096, growing memory when it does not fit.
  (func (export "asknix_alloc") (param $size i32) (result i32)
    (local $need i32)
    (local.set $need (i32.shr_u (i32.add (i32.add (local.get $size) (i32.const 4096)) (i32.const 65535)) (i32.const 16)))
    (if (i32.gt_u (local.get $need) (memory.size))
      (then (drop (memory.grow (i32.sub (local.get $need) (memory.size))))))
    (i32.const 4096))
  (func (export "asknix_match") (param $ptr i32) (param $len i32) (result i64)
    (i64.or (i64.shl (i64.const 1024) (i64.const 32)) (i64.const 64)))
)
