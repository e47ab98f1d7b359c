package nixstore

import (
	"context"
	"encoding/json"
	"fmt"
)

// graph is the part of the reference graph below a set of roots, with dense indices so
// that a closure walk is a slice walk.
type graph struct {
	index map[string]int32 // store path of a root -> node
	size  []uint64
	refs  [][]int32
	ids   map[int64]int32
}

func jsonStrings(s []string) string {
	b, _ := json.Marshal(s) // []string always marshals
	return string(b)
}

func (g *graph) node(id int64) int32 {
	if i, ok := g.ids[id]; ok {
		return i
	}
	i := int32(len(g.size))
	g.ids[id] = i
	g.size = append(g.size, 0)
	g.refs = append(g.refs, nil)
	return i
}

// loadGraph reads every path reachable from roots, with its size and references: one
// query finds the roots, one recursive query reads the union of their closures.
func (n *Native) loadGraph(ctx context.Context, roots []string) (*graph, error) {
	g := &graph{index: map[string]int32{}, ids: map[int64]int32{}}
	rows, err := n.db.QueryContext(ctx, `SELECT id, path FROM ValidPaths WHERE path IN (SELECT value FROM json_each(?))`, jsonStrings(roots))
	if err != nil {
		return nil, fmt.Errorf("load closures: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		var p string
		if err := rows.Scan(&id, &p); err != nil {
			rows.Close()
			return nil, fmt.Errorf("load closures: %w", err)
		}
		g.index[p] = g.node(id)
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load closures: %w", err)
	}
	if len(ids) == 0 {
		return g, nil
	}
	idJSON, _ := json.Marshal(ids)
	const q = `WITH RECURSIVE c(id) AS (
  SELECT value FROM json_each(?)
  UNION SELECT reference FROM Refs JOIN c ON referrer = c.id)
SELECT c.id, coalesce(v.narSize, 0), r.reference
FROM c JOIN ValidPaths v ON v.id = c.id LEFT JOIN Refs r ON r.referrer = c.id`
	rows, err = n.db.QueryContext(ctx, q, string(idJSON))
	if err != nil {
		return nil, fmt.Errorf("load closures: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, size int64
		var ref *int64
		if err := rows.Scan(&id, &size, &ref); err != nil {
			return nil, fmt.Errorf("load closures: %w", err)
		}
		i := g.node(id)
		g.size[i] = uint64(max(size, 0))
		if ref != nil && *ref != id {
			g.refs[i] = append(g.refs[i], g.node(*ref))
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load closures: %w", err)
	}
	return g, nil
}

func (g *graph) closure(root string) (Closure, bool) {
	start, ok := g.index[root]
	if !ok {
		return Closure{}, false
	}
	seen := make([]bool, len(g.size)) // one walk per root; g.size is the union, a few thousand
	stack := []int32{start}
	seen[start] = true
	var c Closure
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		c.Paths++
		c.NarSize += g.size[i]
		for _, j := range g.refs[i] {
			if !seen[j] {
				seen[j] = true
				stack = append(stack, j)
			}
		}
	}
	return c, true
}
