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

// loadGraph reads every path reachable from roots, with its size and references, in one
// recursive query.
func (n *Native) loadGraph(ctx context.Context, roots []string) (*graph, error) {
	const q = `WITH RECURSIVE c(id) AS (
  SELECT id FROM ValidPaths WHERE path IN (SELECT value FROM json_each(?1))
  UNION SELECT reference FROM Refs JOIN c ON referrer = c.id)
SELECT v.id, coalesce(v.narSize, 0), r.reference,
       CASE WHEN v.path IN (SELECT value FROM json_each(?1)) THEN v.path END
FROM c JOIN ValidPaths v USING(id) LEFT JOIN Refs r ON r.referrer = v.id`
	rows, err := n.db.QueryContext(ctx, q, jsonStrings(roots))
	if err != nil {
		return nil, fmt.Errorf("load closures: %w", err)
	}
	defer rows.Close()
	g := &graph{index: map[string]int32{}, ids: map[int64]int32{}}
	for rows.Next() {
		var id, size int64
		var ref *int64
		var rootPath *string
		if err := rows.Scan(&id, &size, &ref, &rootPath); err != nil {
			return nil, fmt.Errorf("load closures: %w", err)
		}
		i := g.node(id)
		g.size[i] = uint64(max(size, 0))
		if rootPath != nil {
			g.index[*rootPath] = i
		}
		if ref != nil && *ref != id {
			j := g.node(*ref)
			g.refs[i] = append(g.refs[i], j)
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
	seen := make([]bool, len(g.size))
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
