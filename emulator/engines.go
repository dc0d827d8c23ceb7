package emulator

import (
	"fmt"

	"github.com/oktaemu/oktaemu/emulator/internal/engine"
	"github.com/oktaemu/oktaemu/emulator/internal/okta"
)

// Engine names an Okta engine: "classic" or "identity".
type Engine string

// The engines an org can run.
const (
	Classic  Engine = "classic"
	Identity Engine = "identity"
)

// Engines lists every engine, in a fixed order.
func Engines() []Engine { return []Engine{Classic, Identity} }

// engineFor returns the implementation of e; the only list of engines.
func engineFor(e Engine) (engine.Engine, error) {
	k, ok := okta.ParseEngine(string(e))
	if !ok {
		return nil, fmt.Errorf("unknown engine %q (want classic or identity)", e)
	}
	eng, _ := engine.For(k)
	return eng, nil
}
