// Package nixstore owns everything ask-nix reads from a Nix installation: the store
// database (read-only, through modernc sqlite and go-nix's nix_v10 queries), closures and
// their sizes, profiles and their generations, GC roots, and the nix CLI backend that
// answers the same questions by running Nix's own commands.
//
// Two backends implement [Backend]: [Native] reads $NIX_STATE_DIR/db/db.sqlite directly;
// [CLI] runs nix-env, nix-store and nix path-info. Both return the same values, so the CLI
// backend is the oracle of equivalence tests and the baseline of benchmarks.
package nixstore
