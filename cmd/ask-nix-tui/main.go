// Command ask-nix-tui draws `ask-nix search -i`. ask-nix starts it on the terminal and
// answers its queries (package cmd/internal/tui has the conversation); run alone it has
// nothing to ask and stops with an error.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/asknix/ask-nix/cmd/internal/tui"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet(tui.Name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	query := fs.String("query", "", "the initial query")
	noColor := fs.Bool("no-color", false, "no reverse video for the selection")
	pipes := fs.Bool("pipes", false, "ask-nix passed the conversation's pipes as descriptors 3 and 4")
	if err := fs.Parse(args); err != nil {
		fmt.Fprintf(stderr, "%s: error: %v\n", tui.Name, err)
		return 2
	}
	requests, answers := os.NewFile(3, "requests"), os.NewFile(4, "answers")
	if !*pipes || !isPipe(requests) || !isPipe(answers) {
		fmt.Fprintf(stderr, "%s: error: run by ask-nix (ask-nix search -i), not alone\n", tui.Name)
		return 2
	}
	c := tui.NewClient(requests, answers)
	install, err := screen(ctx, c, *query, stdin, stdout, !*noColor)
	if err != nil {
		fmt.Fprintf(stderr, "%s: error: %v\n", tui.Name, err)
		return 1
	}
	if install != "" {
		if err := c.Choose(install); err != nil {
			fmt.Fprintf(stderr, "%s: error: %v\n", tui.Name, err)
			return 1
		}
	}
	return 0
}

func isPipe(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeNamedPipe != 0
}

// searchModel is the screen of `ask-nix search -i`: results update on every keystroke;
// every query goes to ask-nix, whose engine answers it (through the policy).
type searchModel struct {
	client   *tui.Client
	input    textinput.Model
	results  []tui.Result
	selected int
	err      string
	install  string // set when the user chose a package to install
	lost     error  // set when the conversation with ask-nix broke
	height   int
	width    int // the window's columns (0 until the first size message)
	color    bool
}

// resultsMsg is ask-nix's answer to one query.
type resultsMsg tui.Message

// lostMsg: the conversation with ask-nix ended or broke.
type lostMsg struct{ err error }

func (m searchModel) query(q string) tea.Cmd {
	return func() tea.Msg {
		if strings.TrimSpace(q) == "" {
			return resultsMsg{Query: q}
		}
		if err := m.client.Ask(q); err != nil {
			return lostMsg{err}
		}
		return nil // the answer arrives through answers
	}
}

// answers turns ask-nix's answers into messages for the program until the end.
func answers(c *tui.Client, p *tea.Program) {
	for {
		a, ok, err := c.Next()
		if !ok || err != nil {
			p.Send(lostMsg{err})
			return
		}
		p.Send(resultsMsg(a))
	}
}

func (m searchModel) Init() tea.Cmd { return tea.Batch(textinput.Blink, m.query(m.input.Value())) }

func (m searchModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.height, m.width = msg.Height, msg.Width
	case resultsMsg:
		if msg.Query != m.input.Value() {
			return m, nil // a stale answer: the user typed on
		}
		m.results, m.selected, m.err = msg.Results, 0, msg.Error
		return m, nil
	case lostMsg:
		m.lost = msg.err
		if m.lost == nil {
			m.lost = errors.New("ask-nix ended the search")
		}
		return m, tea.Quit
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
		line := row(r, m.width)
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

// screen runs the search view; it returns the attribute chosen for installation, or "".
func screen(ctx context.Context, c *tui.Client, initial string, in io.Reader, out io.Writer, color bool) (string, error) {
	ti := textinput.New()
	ti.Prompt = "search: "
	ti.SetValue(initial)
	ti.Focus()
	m := searchModel{client: c, input: ti, height: 24, color: color}
	p := tea.NewProgram(m, tea.WithInput(in), tea.WithOutput(out), tea.WithContext(ctx), tea.WithAltScreen())
	go answers(c, p)
	final, err := p.Run()
	if err != nil {
		return "", err
	}
	if fm := final.(searchModel); fm.lost != nil {
		return "", fm.lost
	} else {
		return fm.install, nil
	}
}

// row lays out one result for a window of width columns (2 go to the selection mark):
// the name and version columns shrink on a narrow window, so the description keeps at least
// a third of the line, and nothing runs past the edge.
func row(r tui.Result, width int) string {
	if width <= 0 {
		width = 100
	}
	avail := max(width-2, 20)
	name, ver := 32, 14
	if avail < 90 {
		name, ver = max(avail*3/10, 12), max(avail/8, 8)
	}
	desc := max(avail-name-ver-2, 1)
	line := fmt.Sprintf("%-*s %-*s %s", name, truncate(r.Attr, name), ver, truncate(r.Version, ver), truncate(r.Description, desc))
	return strings.TrimRight(line, " ")
}

func truncate(s string, n int) string {
	if n <= 1 {
		return "…"
	}
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
