package report

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/oktaemu/oktaemu/scenarios"
	"github.com/oktaemu/oktaemu/scenarios/diff"
)

// Formats lists the output formats.
var Formats = []string{"table", "json", "junit", "markdown", "html"}

// Report is what a command produced: replays (expected vs actual) or
// engine diffs (Classic vs Identity).
type Report struct {
	Title string  `json:"title"`
	Kind  string  `json:"kind"` // "replay" or "diff"
	Cases []Case  `json:"cases"`
	Sum   Summary `json:"summary"`
}

// Case is one scenario on one engine (replay), or on both (diff).
type Case struct {
	Scenario string `json:"scenario"`
	// Name is "scenario/engine" or "scenario/classic-vs-identity".
	Name string `json:"name"`
	// Left and Right name the two sides ("expected"/"actual",
	// "classic"/"identity").
	Left      string     `json:"left"`
	Right     string     `json:"right"`
	Exchanges []Exchange `json:"exchanges"`
	// Err is the hard failure that stopped the case.
	Err    string `json:"error,omitempty"`
	NotRun int    `json:"notRun,omitempty"`
}

// Exchange is one exchange of a case.
type Exchange struct {
	Index  int                 `json:"index"`
	Label  string              `json:"label"`
	Method string              `json:"method"`
	Path   string              `json:"path"`
	Left   *scenarios.Response `json:"left,omitempty"`
	Right  *scenarios.Response `json:"right,omitempty"`
	Diffs  []diff.Difference   `json:"diffs,omitempty"`
	Err    string              `json:"error,omitempty"`
	NotRun string              `json:"notRun,omitempty"`
	Timing float64             `json:"ms,omitempty"`
}

// Summary counts.
type Summary struct {
	// Kind is the report's kind (replay or diff).
	Kind        string             `json:"-"`
	Cases       int                `json:"cases"`
	Failed      int                `json:"failed"`
	Exchanges   int                `json:"exchanges"`
	Differences int                `json:"differences"`
	ByClass     map[diff.Class]int `json:"byClass,omitempty"`
	// Findings lists the documented differences found, by reference.
	Findings []FindingCount `json:"findings,omitempty"`
}

// FindingCount is one documented difference and how often it showed.
type FindingCount struct {
	diff.Finding
	Ref   string `json:"ref"`
	Count int    `json:"count"`
}

// Failed reports whether the case has a difference or a hard failure.
func (c *Case) Failed() bool {
	if c.Err != "" {
		return true
	}
	for _, x := range c.Exchanges {
		if len(x.Diffs) > 0 || x.Err != "" {
			return true
		}
	}
	return false
}

// FromReplay builds a report of replays.
func FromReplay(title string, rs []*scenarios.Result) *Report {
	r := &Report{Title: title, Kind: "replay"}
	for _, res := range rs {
		c := Case{Scenario: res.Name, Name: res.Name + "/" + res.Engine, Left: "expected", Right: res.Engine, Err: res.Err, NotRun: res.NotRun}
		for _, x := range res.Exchanges {
			c.Exchanges = append(c.Exchanges, Exchange{Index: x.Index, Label: x.Label, Method: x.Sent.Method, Path: x.Sent.Path,
				Left: x.Expected, Right: x.Actual, Diffs: x.Diffs, Err: x.Err, Timing: float64(x.Duration.Microseconds()) / 1000})
		}
		r.Cases = append(r.Cases, c)
	}
	r.summarise()
	return r
}

// FromDiff builds a report of engine diffs.
func FromDiff(title string, ds []*scenarios.EngineDiff) *Report {
	r := &Report{Title: title, Kind: "diff"}
	for _, d := range ds {
		c := Case{Scenario: d.Name, Name: d.Name + "/" + d.A + "-vs-" + d.B, Left: d.A, Right: d.B}
		var errs []string
		if d.ErrA != "" {
			errs = append(errs, d.A+": "+d.ErrA)
		}
		if d.ErrB != "" {
			errs = append(errs, d.B+": "+d.ErrB)
		}
		for _, x := range d.Exchanges {
			e := Exchange{Index: x.Index, Label: x.Label, Method: x.Request.Method, Path: x.Request.Path,
				Left: x.A, Right: x.B, Diffs: x.Diffs}
			if x.NotRun != "" {
				e.NotRun = "not run on " + x.NotRun + " (stopped earlier)"
				c.NotRun++
			}
			c.Exchanges = append(c.Exchanges, e)
		}
		c.Err = strings.Join(errs, "; ")
		r.Cases = append(r.Cases, c)
	}
	r.summarise()
	return r
}

func (r *Report) summarise() {
	s := Summary{Kind: r.Kind, Cases: len(r.Cases), ByClass: map[diff.Class]int{}}
	found := map[string]*FindingCount{}
	for i := range r.Cases {
		c := &r.Cases[i]
		if c.Failed() {
			s.Failed++
		}
		s.Exchanges += len(c.Exchanges)
		for _, x := range c.Exchanges {
			s.Differences += len(x.Diffs)
			for _, d := range x.Diffs {
				s.ByClass[d.Class]++
				if d.Finding != nil {
					key := d.Finding.Ref() + d.Finding.Title
					if found[key] == nil {
						found[key] = &FindingCount{Finding: *d.Finding, Ref: d.Finding.Ref()}
					}
					found[key].Count++
				}
			}
		}
	}
	for _, f := range found {
		s.Findings = append(s.Findings, *f)
	}
	sort.Slice(s.Findings, func(i, j int) bool {
		if s.Findings[i].Row != s.Findings[j].Row {
			return s.Findings[i].Row < s.Findings[j].Row
		}
		return s.Findings[i].Title < s.Findings[j].Title
	})
	if len(s.ByClass) == 0 {
		s.ByClass = nil
	}
	r.Sum = s
}

// Failed reports whether any case failed.
func (r *Report) Failed() bool { return r.Sum.Failed > 0 }

// Write renders the report in format.
func (r *Report) Write(w io.Writer, format string) error {
	switch format {
	case "table", "":
		return r.Table(w)
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	case "junit":
		return r.JUnit(w)
	case "markdown", "md":
		return r.Markdown(w)
	case "html":
		return r.HTML(w)
	}
	return fmt.Errorf("unknown format %q (want %s)", format, strings.Join(Formats, ", "))
}

// classList renders the summary by class in report order.
func (s Summary) classList() string {
	var parts []string
	for _, c := range diff.Classes() {
		if n := s.ByClass[c]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, c))
		}
	}
	return strings.Join(parts, ", ")
}

// Line is the one-line summary.
func (s Summary) Line() string {
	out := fmt.Sprintf("%d cases (%d failed), %d exchanges, %d differences", s.Cases, s.Failed, s.Exchanges, s.Differences)
	if s.Kind == "diff" {
		out = fmt.Sprintf("%d scenarios (%d with differences), %d exchanges, %d differences", s.Cases, s.Failed, s.Exchanges, s.Differences)
	}
	if cl := s.classList(); cl != "" {
		out += ": " + cl
	}
	return out
}
