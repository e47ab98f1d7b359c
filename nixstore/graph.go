package nixstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
)

// graph is the part of the reference graph below a set of roots, with dense indices so
// that a closure walk is a slice walk.
//
// Its memory is allocated once, not per node or per walk: a process that sums 110
// generations touches each fresh page at a cost (RATIONALE, "Start-up is page faults").
type graph struct {
	index map[string]int32 // store path of a root -> node
	size  []uint64
	ids   map[int64]int32
	edges [][2]int32 // referrer, reference, as read; off and adj are built from them
	off   []int32    // node i's references are adj[off[i]:off[i+1]]
	adj   []int32
	mark  []uint32 // mark[i] == walk: node i was seen by the current walk
	walk  uint32
	stack []int32
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
	return i
}

// link builds off and adj (compressed rows) from the edges read.
func (g *graph) link() {
	n := len(g.size)
	g.off = make([]int32, n+1)
	for _, e := range g.edges {
		g.off[e[0]+1]++
	}
	for i := range n {
		g.off[i+1] += g.off[i]
	}
	g.adj = make([]int32, len(g.edges))
	next := make([]int32, n)
	copy(next, g.off[:n])
	for _, e := range g.edges {
		g.adj[next[e[0]]] = e[1]
		next[e[0]]++
	}
	g.edges = nil
	g.mark = make([]uint32, n)
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
		g.link()
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
		var ref sql.NullInt64
		if err := rows.Scan(&id, &size, &ref); err != nil {
			return nil, fmt.Errorf("load closures: %w", err)
		}
		i := g.node(id)
		g.size[i] = uint64(max(size, 0))
		if ref.Valid && ref.Int64 != id {
			g.edges = append(g.edges, [2]int32{i, g.node(ref.Int64)})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load closures: %w", err)
	}
	g.link()
	return g, nil
}

func (g *graph) closure(root string) (Closure, bool) {
	start, ok := g.index[root]
	if !ok {
		return Closure{}, false
	}
	g.walk++ // one walk per root; marks of earlier walks are simply older numbers
	stack := append(g.stack[:0], start)
	g.mark[start] = g.walk
	var c Closure
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		c.Paths++
		c.NarSize += g.size[i]
		for _, j := range g.adj[g.off[i]:g.off[i+1]] {
			if g.mark[j] != g.walk {
				g.mark[j] = g.walk
				stack = append(stack, j)
			}
		}
	}
	g.stack = stack
	return c, true
}
