// Package agent owns ask-nix's agent mode (SPEC §12): a Model Context Protocol server, on
// the official Go SDK, whose tools are the action definitions. Every call is a request
// through the one pipeline, with request.source "mcp" and the client's name and version,
// so a Rego policy holds an agent as it holds a person. A change runs only when a person
// confirmed its plan through MCP elicitation; no tool argument confirms anything. The
// engine stays warm between calls (policy plan, index, store database) and checks the
// cache's stamps before each answer.
package agent

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/asknix/ask-nix/engine"
	"github.com/asknix/ask-nix/engine/nixlog"
	"github.com/asknix/ask-nix/engine/policy"
)

// maxArguments bounds a call's arguments: a request is a sentence or a few names.
const maxArguments = 64 << 10

// tools are the actions an agent may call, in the order tools/list gives them, and the
// arguments of each that it sees (the others are the command line's alone).
var toolOrder = []string{"search", "installed", "generations", "diff", "info", "disk", "config", "path-info", "errors",
	"install", "remove", "rollback", "cleanup", "update"}

// Server is the MCP server of one engine.
type Server struct {
	eng     *engine.Engine
	mu      sync.Mutex // one request at a time through the engine
	srv     *mcp.Server
	version string
	key     [32]byte // seals the plans shown for confirmation
}

// New builds the server and its tools.
func New(eng *engine.Engine, version string) *Server {
	s := &Server{eng: eng, version: version}
	if _, err := rand.Read(s.key[:]); err != nil {
		panic(err) // crypto/rand does not fail on Linux
	}
	s.srv = mcp.NewServer(&mcp.Implementation{Name: "ask-nix", Version: version}, &mcp.ServerOptions{
		Instructions: "Operate Nix and NixOS through ask-nix: every call is checked by the machine's policy; " +
			"changes run only after the person at the client confirms the plan.",
	})
	for _, t := range Tools() {
		s.srv.AddTool(t.Tool, s.handler(t))
	}
	return s
}

// Run serves on t (mcp.StdioTransport for `ask-nix mcp`) until the client goes away or ctx
// ends.
func (s *Server) Run(ctx context.Context, t mcp.Transport) error { return s.srv.Run(ctx, t) }

// MCP is the SDK's server, for in-memory clients in tests and benchmarks.
func (s *Server) MCP() *mcp.Server { return s.srv }

// Tool is one tool and what it runs: an action, or "ask" and "explain", which take a
// sentence.
type Tool struct {
	*mcp.Tool
	action *engine.Action // nil for ask and explain
}

// Tools are the tools, generated from the action definitions: their names, summaries and
// typed arguments.
func Tools() []Tool {
	var out []Tool
	for _, name := range toolOrder {
		act, ok := engine.LookupAction(name)
		if !ok {
			continue
		}
		desc := act.Summary
		if act.Mutates {
			desc += "; a person confirms the plan"
		}
		out = append(out, Tool{Tool: &mcp.Tool{Name: name, Description: desc, InputSchema: schema(act), Annotations: annotations(act)}, action: act})
	}
	text := map[string]any{"type": "object", "properties": map[string]any{"text": map[string]any{"type": "string"}},
		"required": []string{"text"}, "additionalProperties": false}
	out = append(out,
		Tool{Tool: &mcp.Tool{Name: "ask", Description: "a request in plain words (as ask-nix \"TEXT\")", InputSchema: text}},
		Tool{Tool: &mcp.Tool{Name: "explain", Description: "intent, plan and policy decision for a request; runs nothing", InputSchema: text,
			Annotations: &mcp.ToolAnnotations{ReadOnlyHint: true}}})
	return out
}

func annotations(act *engine.Action) *mcp.ToolAnnotations {
	if !act.Mutates {
		return &mcp.ToolAnnotations{ReadOnlyHint: true}
	}
	f := act.Name == "remove" || act.Name == "cleanup"
	return &mcp.ToolAnnotations{DestructiveHint: &f}
}

// schema is the JSON schema of an action's arguments.
func schema(act *engine.Action) map[string]any {
	props := map[string]any{}
	for _, a := range act.Args {
		if a.Name == "apply" && act.Name != "update" {
			continue
		}
		p := map[string]any{}
		switch a.Kind {
		case engine.String:
			p["type"] = "string"
		case engine.Int:
			p["type"] = "integer"
			p["minimum"] = a.Min
			if a.Max > 0 {
				p["maximum"] = a.Max
			}
		case engine.Bool:
			p["type"] = "boolean"
		case engine.Strings:
			p["type"] = "array"
			p["items"] = map[string]any{"type": "string"}
		case engine.Age:
			p["type"] = "string"
			p["pattern"] = "^[0-9]+[dh]$"
		}
		if a.Name != "profile" && a.Name != "apply" {
			p["description"] = a.Help
		}
		props[a.Name] = p
	}
	out := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	switch act.Name {
	case "search", "install", "remove":
		out["required"] = []string{map[string]string{"search": "query", "install": "package", "remove": "package"}[act.Name]}
	case "path-info":
		out["required"] = []string{"paths"}
	}
	return out
}

// handler runs a tool's call as a request.
func (s *Server) handler(t Tool) mcp.ToolHandler {
	return func(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		args, err := arguments(req.Params.Arguments)
		if err != nil {
			return failure(err.Error(), nil), nil
		}
		r := engine.Request{Source: "mcp", Client: client(req.Session)}
		var c *confirmation
		if canElicit(req.Session) {
			c = &confirmation{s: s, state: req.Params.RequestState}
			c.answer, _ = req.Params.InputResponses["confirm"].(*mcp.ElicitResult)
			r.Confirm = c.confirm
		}
		switch {
		case t.action == nil:
			text, _ := args["text"].(string)
			if len(args) != 1 || strings.TrimSpace(text) == "" {
				return failure(t.Name+" takes one argument, text: a request in plain words", nil), nil
			}
			r.Text, r.Explain = text, t.Name == "explain"
		default:
			r.Subcommand, r.Args, r.Text = t.action.Name, args, commandLine(t.action, args)
		}
		if tok := req.Params.GetProgressToken(); tok != nil && req.Session != nil {
			n := 0
			r.NixProgress = func(step string, p nixlog.Progress) {
				n++
				req.Session.NotifyProgress(ctx, &mcp.ProgressNotificationParams{ProgressToken: tok, Progress: float64(n), Message: strings.TrimSpace(step + ": " + p.Summary())})
			}
		}
		s.mu.Lock()
		env, err := s.eng.Handle(ctx, r)
		s.mu.Unlock()
		switch {
		case c != nil && c.pending != nil && errors.Is(err, engine.ErrCancelled):
			return &mcp.CallToolResult{InputRequests: mcp.InputRequestMap{"confirm": c.pending}, RequestState: c.seal}, nil
		case c != nil && c.mismatch:
			return failure("the plan changed after it was shown to the person; nothing ran: call again", nil), nil
		}
		if err != nil {
			s.eng.LogError(r.Text, err)
			return callError(env, err), nil
		}
		if t.action == nil {
			return success(env, nil), nil
		}
		return success(env.Result, env.Result), nil
	}
}

// arguments reads a call's arguments: a JSON object, numbers kept exact.
func arguments(raw json.RawMessage) (map[string]any, error) {
	if len(raw) > maxArguments {
		return nil, fmt.Errorf("arguments of %d bytes (at most %d)", len(raw), maxArguments)
	}
	out := map[string]any{}
	if len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		return out, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&out); err != nil {
		return nil, errors.New("arguments must be a JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("arguments must be one JSON object")
	}
	for k, v := range out {
		if l, ok := v.([]any); ok {
			strs := make([]string, 0, len(l))
			for _, x := range l {
				s, ok := x.(string)
				if !ok {
					return nil, fmt.Errorf("%s must be a list of text", k)
				}
				strs = append(strs, s)
			}
			out[k] = strs
		}
	}
	return out, nil
}

// commandLine is a call written as the command line that would make the same request, for
// request.text (the policy reads it as it reads a subcommand's).
func commandLine(act *engine.Action, args map[string]any) string {
	parts := []string{act.CommandLine()}
	keys := make([]string, 0, len(args))
	for k := range args {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		switch v := args[k].(type) {
		case []string:
			parts = append(parts, "--"+k, strings.Join(v, " "))
		default:
			parts = append(parts, "--"+strings.ReplaceAll(k, "_", "-"), fmt.Sprint(v))
		}
	}
	return strings.Join(parts, " ")
}

func client(ss *mcp.ServerSession) string {
	if ss == nil {
		return ""
	}
	p := ss.InitializeParams()
	if p == nil || p.ClientInfo == nil {
		return ""
	}
	return strings.TrimSuffix(p.ClientInfo.Name+"/"+p.ClientInfo.Version, "/")
}

// canElicit reports whether the client can ask its user (MCP elicitation).
func canElicit(ss *mcp.ServerSession) bool {
	if ss == nil {
		return false
	}
	p := ss.InitializeParams()
	return p != nil && p.Capabilities != nil && p.Capabilities.Elicitation != nil
}

// confirmation is one call's way to a person's yes (SPEC §12), as a multi round-trip
// request (SEP-2322): the first pass plans and stops, and the call returns an elicitation
// of the plan with the plan's seal as its state; the client asks its user and calls again
// with the answer (the SDK does this itself for clients of older protocol versions). The
// second pass plans again and runs only if the person said yes to exactly that plan.
type confirmation struct {
	s        *Server
	answer   *mcp.ElicitResult // the person's, on the second pass
	state    string            // the seal of the plan they answered
	pending  *mcp.ElicitParams // set by the first pass
	seal     string
	mismatch bool
}

func (c *confirmation) confirm(plan engine.Plan, d policy.Decision, warnings []string) bool {
	seal := c.s.sealPlan(plan)
	if c.answer == nil {
		var b strings.Builder
		fmt.Fprintf(&b, "An AI assistant asks ask-nix to run this (%s):\n", strings.Join(d.Reasons, "; "))
		plan.Describe(&b, "  ")
		for _, w := range warnings {
			fmt.Fprintf(&b, "warning: %s\n", w)
		}
		b.WriteString("Run it?")
		c.pending, c.seal = &mcp.ElicitParams{Message: b.String(), RequestedSchema: map[string]any{
			"type":       "object",
			"properties": map[string]any{"confirm": map[string]any{"type": "boolean", "title": "Run this plan"}},
			"required":   []string{"confirm"},
		}}, seal
		return false
	}
	if !hmac.Equal([]byte(seal), []byte(c.state)) {
		c.mismatch = true
		return false
	}
	return c.answer.Action == "accept" && c.answer.Content["confirm"] == true
}

// sealPlan binds a person's answer to the plan they were shown: a MAC of the plan under
// this server's own key, so a client can only echo what the server issued.
func (s *Server) sealPlan(plan engine.Plan) string {
	b, _ := json.Marshal(plan)
	m := hmac.New(sha256.New, s.key[:])
	m.Write(b)
	return hex.EncodeToString(m.Sum(nil))
}

// success is a result: structured, as --json prints it, and as text the way ask-nix shows
// it to a person (what an assistant reads; half the bytes of the JSON, or less).
func success(v any, r engine.Result) *mcp.CallToolResult {
	b, err := json.Marshal(v)
	if err != nil {
		return failure("the result could not be written: "+err.Error(), nil)
	}
	text := string(b)
	if r != nil {
		var buf bytes.Buffer
		w := tabwriter.NewWriter(&buf, 0, 4, 2, ' ', 0)
		r.Render(w)
		if w.Flush() == nil {
			text = buf.String()
		}
	}
	return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: text}}, StructuredContent: json.RawMessage(b)}
}

func failure(msg string, structured any) *mcp.CallToolResult {
	r := &mcp.CallToolResult{IsError: true, Content: []mcp.Content{&mcp.TextContent{Text: msg}}}
	if structured != nil {
		if b, err := json.Marshal(structured); err == nil {
			r.StructuredContent = json.RawMessage(b)
		}
	}
	return r
}

// callError is a tool error an agent can act on: a denial with the policy's messages and
// ids, "confirmation needed" with the plan, or the error in one line.
func callError(env *engine.Envelope, err error) *mcp.CallToolResult {
	var denied *engine.DeniedError
	switch {
	case errors.As(err, &denied):
		return failure("denied by policy: "+strings.Join(denied.Decision.Reasons, "; ")+" (ids: "+strings.Join(denied.Decision.IDs, ", ")+")",
			map[string]any{"decision": denied.Decision})
	case errors.Is(err, engine.ErrNeedsConfirm), errors.Is(err, engine.ErrCancelled):
		var b strings.Builder
		if errors.Is(err, engine.ErrCancelled) {
			b.WriteString("cancelled by the person at the client, nothing changed. The plan was:\n")
		} else {
			b.WriteString("confirmation needed: this client cannot ask its user (no MCP elicitation), so nothing ran; ask the user to run it with ask-nix in a terminal. The plan:\n")
		}
		var plan any
		if env != nil {
			env.Plan.Describe(&b, "  ")
			plan = map[string]any{"plan": env.Plan}
		}
		return failure(strings.TrimSpace(b.String()), plan)
	}
	msg := strings.ReplaceAll(err.Error(), "\n", " ")
	if env != nil && env.Result != nil && slices.Contains([]string{"unknown"}, env.Intent.Action) {
		return failure(msg, env.Result)
	}
	return failure(msg, nil)
}
