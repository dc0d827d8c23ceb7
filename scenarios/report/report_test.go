package report

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/oktaemu/oktaemu/scenarios"
	"github.com/oktaemu/oktaemu/scenarios/diff"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if d := cmp.Diff(string(want), string(got)); d != "" {
		t.Errorf("%s (-want +got)\n%s", path, d)
	}
}

var (
	once     sync.Once
	diffRep  *Report
	replyRep *Report
)

// reports runs the scenarios package's test scenarios once: an engine
// diff (with documented rows) and a failing replay.
func reports(t *testing.T) (*Report, *Report) {
	t.Helper()
	once.Do(func() {
		scs, err := scenarios.Load("../testdata/runner/users.yaml")
		if err != nil {
			t.Fatal(err)
		}
		sc := scs[0]
		sc.Exchanges = append(sc.Exchanges, scenarios.Exchange{Name: "authn with audience", Request: scenarios.Request{
			Method: "POST", Path: "/api/v1/authn",
			Body: map[string]any{"username": "alice@example.com", "password": "Pa55word!Emu", "audience": "0oasamlapp0000000000"}}})
		d := scenarios.DiffEngines(context.Background(), sc, scenarios.Classic, scenarios.Identity, scenarios.Options{}, false)
		diffRep = FromDiff("oktaemu diff", []*scenarios.EngineDiff{d})
		mm, err := scenarios.Load("../testdata/runner/mismatch.yaml")
		if err != nil {
			t.Fatal(err)
		}
		replyRep = FromReplay("oktaemu replay", scenarios.Run(context.Background(), append(scs[:1:1], mm...), scenarios.Options{}))
	})
	if diffRep == nil {
		t.Fatal("reports not built")
	}
	return diffRep, replyRep
}

func render(t *testing.T, r *Report, format string) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := r.Write(&b, format); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestTableAndMarkdownGolden(t *testing.T) {
	d, r := reports(t)
	golden(t, "diff.table.golden", render(t, d, "table"))
	golden(t, "diff.md.golden", render(t, d, "markdown"))
	golden(t, "replay.table.golden", render(t, r, "table"))
	golden(t, "replay.md.golden", render(t, r, "markdown"))
}

func TestSummary(t *testing.T) {
	d, r := reports(t)
	if d.Sum.ByClass[diff.RequestRefused] != 1 || d.Sum.ByClass[diff.ValueChanged] != 1 || !d.Failed() {
		t.Errorf("diff summary %+v", d.Sum)
	}
	var rows []int
	for _, f := range d.Sum.Findings {
		rows = append(rows, f.Row)
	}
	if diff := cmp.Diff([]int{1, 35}, rows); diff != "" {
		t.Errorf("findings (-want +got)\n%s", diff)
	}
	if r.Sum.Cases != 3 || r.Sum.Failed != 1 {
		t.Errorf("replay summary %+v", r.Sum)
	}
}

func TestJSON(t *testing.T) {
	d, _ := reports(t)
	var back Report
	if err := json.Unmarshal(render(t, d, "json"), &back); err != nil {
		t.Fatal(err)
	}
	if back.Sum.Differences != d.Sum.Differences || len(back.Cases) != 1 || back.Cases[0].Exchanges[7].Diffs[0].Finding.Row != 35 {
		t.Errorf("JSON round trip lost data: %+v", back.Sum)
	}
}

// TestJUnitValidates checks the JUnit XML against the rules of the JUnit
// schema reporters use (Jenkins junit-10.xsd): testsuites > testsuite >
// testcase with name/classname/time, at most one of failure, error,
// skipped, and counts that add up.
func TestJUnitValidates(t *testing.T) {
	_, r := reports(t)
	data := render(t, r, "junit")
	if !bytes.HasPrefix(data, []byte(xml.Header)) {
		t.Error("no XML declaration")
	}
	type msg struct {
		Message *string `xml:"message,attr"`
		Type    string  `xml:"type,attr"`
		Text    string  `xml:",chardata"`
	}
	type tc struct {
		Name      *string `xml:"name,attr"`
		Classname *string `xml:"classname,attr"`
		Time      string  `xml:"time,attr"`
		Failure   []msg   `xml:"failure"`
		Error     []msg   `xml:"error"`
		Skipped   []msg   `xml:"skipped"`
	}
	type ts struct {
		Name     *string `xml:"name,attr"`
		Tests    int     `xml:"tests,attr"`
		Failures int     `xml:"failures,attr"`
		Errors   int     `xml:"errors,attr"`
		Skipped  int     `xml:"skipped,attr"`
		Time     string  `xml:"time,attr"`
		Cases    []tc    `xml:"testcase"`
	}
	var doc struct {
		XMLName  xml.Name
		Tests    int  `xml:"tests,attr"`
		Failures int  `xml:"failures,attr"`
		Errors   int  `xml:"errors,attr"`
		Suites   []ts `xml:"testsuite"`
	}
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("not well-formed: %v", err)
	}
	if doc.XMLName.Local != "testsuites" {
		t.Fatalf("root %s, want testsuites", doc.XMLName.Local)
	}
	decimal := regexp.MustCompile(`^\d+(\.\d+)?$`)
	tests, failures, errors := 0, 0, 0
	for _, s := range doc.Suites {
		if s.Name == nil || !decimal.MatchString(s.Time) {
			t.Errorf("suite without name or decimal time: %+v", s)
		}
		f, e, sk := 0, 0, 0
		for _, c := range s.Cases {
			if c.Name == nil || c.Classname == nil || !decimal.MatchString(c.Time) {
				t.Errorf("testcase without name/classname/decimal time: %+v", c)
			}
			if n := len(c.Failure) + len(c.Error) + len(c.Skipped); n > 1 {
				t.Errorf("testcase %s has %d outcomes", *c.Name, n)
			}
			for _, m := range append(append(c.Failure, c.Error...), c.Skipped...) {
				if m.Message == nil {
					t.Errorf("testcase %s: outcome without message", *c.Name)
				}
			}
			f += len(c.Failure)
			e += len(c.Error)
			sk += len(c.Skipped)
		}
		if s.Tests != len(s.Cases) || s.Failures != f || s.Errors != e || s.Skipped != sk {
			t.Errorf("suite %s counts tests=%d failures=%d errors=%d skipped=%d, counted %d %d %d %d", *s.Name, s.Tests, s.Failures, s.Errors, s.Skipped, len(s.Cases), f, e, sk)
		}
		tests += s.Tests
		failures += s.Failures
		errors += s.Errors
	}
	if doc.Tests != tests || doc.Failures != failures || doc.Errors != errors {
		t.Errorf("testsuites counts %d/%d/%d, suites add to %d/%d/%d", doc.Tests, doc.Failures, doc.Errors, tests, failures, errors)
	}
	if failures != 4 || errors != 0 || tests != 22 {
		t.Errorf("failures %d errors %d tests %d; want 4, 0, 22 (2×8 passing, 5 run and 1 skipped in mismatch)", failures, errors, tests)
	}
}

func TestHTMLSelfContained(t *testing.T) {
	d, _ := reports(t)
	page := string(render(t, d, "html"))
	for _, bad := range []string{`src="http`, `href="http`, `<link `, `@import`, `src="//`} {
		if strings.Contains(page, bad) {
			t.Errorf("page loads an external resource (%s)", bad)
		}
	}
	for _, want := range []string{`class="class-filter" value="request-refused"`, `class="side left"`, `class="side right"`, "engines.md #35"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s", want)
		}
	}
}

func TestUnknownFormat(t *testing.T) {
	d, _ := reports(t)
	if err := d.Write(&bytes.Buffer{}, "pdf"); err == nil {
		t.Error("no error for format pdf")
	}
}
