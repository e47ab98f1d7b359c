package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/asknix/ask-nix/engine"
	"github.com/asknix/ask-nix/engine/search"
)

// searchModel is `ask-nix search -i`: results update on every keystroke; every query goes
// through the engine (and so through the policy) like any other request.
type searchModel struct {
	ctx      context.Context
	eng      *engine.Engine
	input    textinput.Model
	results  []search.Result
	selected int
	err      string
	install  string // set when the user chose a package to install
	height   int
	color    bool
}

type resultsMsg struct {
	query   string
	results []search.Result
	err     error
}

func (m searchModel) query(q string) tea.Cmd {
	return func() tea.Msg {
		if strings.TrimSpace(q) == "" {
			return resultsMsg{query: q}
		}
		env, err := m.eng.Handle(m.ctx, engine.Request{Text: "search " + q, Subcommand: "search",
			Args: map[string]any{"query": q, "limit": 50}})
		if err != nil {
			return resultsMsg{query: q, err: err}
		}
		r, _ := env.Result.(engine.SearchResult)
		return resultsMsg{query: q, results: r.Results}
	}
}

func (m searchModel) Init() tea.Cmd { return tea.Batch(textinput.Blink, m.query(m.input.Value())) }

func (m searchModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.height = msg.Height
	case resultsMsg:
		if msg.query != m.input.Value() {
			return m, nil // a stale answer: the user typed on
		}
		m.results, m.selected, m.err = msg.results, 0, ""
		if msg.err != nil {
			m.err = msg.err.Error()
		}
		return m, nil
	case tea.KeyMsg:
		switch msg.Type {
		case tea.KeyCtrlC, tea.KeyEsc:
			return m, tea.Quit
		case tea.KeyDown, tea.KeyCtrlN:
			if m.selected+1 < len(m.results) {
				m.selected++
			}
			return m, nil
		case tea.KeyUp, tea.KeyCtrlP:
			if m.selected > 0 {
				m.selected--
			}
			return m, nil
		case tea.KeyEnter:
			if m.selected < len(m.results) {
				m.install = m.results[m.selected].Attr
				return m, tea.Quit
			}
			return m, nil
		}
	}
	before := m.input.Value()
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(msg)
	if m.input.Value() != before {
		return m, tea.Batch(cmd, m.query(m.input.Value()))
	}
	return m, cmd
}

func (m searchModel) View() string {
	var b strings.Builder
	b.WriteString(m.input.View() + "\n\n")
	rows := max(m.height-10, 5)
	bold := lipgloss.NewStyle()
	if m.color {
		bold = bold.Reverse(true)
	}
	if m.err != "" {
		fmt.Fprintf(&b, "  %s\n", m.err)
	} else if len(m.results) == 0 && m.input.Value() != "" {
		b.WriteString("  no packages match\n")
	}
	start := max(0, m.selected-rows+1)
	for i := start; i < len(m.results) && i < start+rows; i++ {
		r := m.results[i]
		line := fmt.Sprintf("%-32s %-14s %s", truncate(r.Attr, 32), truncate(r.Version, 14), truncate(r.Description, 50))
		if i == m.selected {
			b.WriteString("> " + bold.Render(line) + "\n")
		} else {
			b.WriteString("  " + line + "\n")
		}
	}
	if m.selected < len(m.results) {
		r := m.results[m.selected]
		fmt.Fprintf(&b, "\n%s %s\n%s\n", r.Attr, r.Version, r.Description)
	}
	b.WriteString("\n↑/↓ select · enter install · esc quit\n")
	return b.String()
}

// interactiveSearch runs the search view; it returns the attribute chosen for installation,
// or "".
func interactiveSearch(ctx context.Context, eng *engine.Engine, initial string, in io.Reader, out io.Writer, color bool) (string, error) {
	ti := textinput.New()
	ti.Prompt = "search: "
	ti.SetValue(initial)
	ti.Focus()
	m := searchModel{ctx: ctx, eng: eng, input: ti, height: 24, color: color}
	final, err := tea.NewProgram(m, tea.WithInput(in), tea.WithOutput(out), tea.WithContext(ctx), tea.WithAltScreen()).Run()
	if err != nil {
		return "", err
	}
	return final.(searchModel).install, nil
}
