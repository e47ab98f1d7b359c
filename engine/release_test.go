package engine

import "testing"

func TestReleaseURL(t *testing.T) {
	for v, want := range map[string]string{
		"24.05.7376.b134951a4c9f":      "https://releases.nixos.org/nixos/24.05/nixos-24.05.7376.b134951a4c9f/packages.json.br",
		"25.11pre891234.0123456789ab":  "https://releases.nixos.org/nixos/unstable/nixos-25.11pre891234.0123456789ab/packages.json.br",
		"25.05.20250514.abc1234":       "", // a flake build: a date, not a release
		"25.05":                        "",
		"24.05.7376.b134951a4c9f/../x": "",
		"":                             "",
	} {
		if got := ReleaseURL(v, false); got != want {
			t.Errorf("ReleaseURL(%q) = %q, want %q", v, got, want)
		}
	}
	if got := ReleaseURL("24.05.7376.b134951a4c9f", true); got != "https://releases.nixos.org/nixos/24.05/nixos-24.05.7376.b134951a4c9f/options.json.br" {
		t.Errorf("options: %s", got)
	}
}
