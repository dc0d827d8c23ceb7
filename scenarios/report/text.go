package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/oktaemu/oktaemu/scenarios/diff"
)

// Table writes an aligned terminal table: one line per difference or
// failure, then the documented differences found and a summary line.
func (r *Report) Table(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CASE\tEXCHANGE\tCLASS\tPATH\t"+sides(r)+"\tDOCUMENTED")
	rows := 0
	for _, c := range r.Cases {
		if c.Err != "" {
			fmt.Fprintf(tw, "%s\t-\thard failure\t-\t%s\t\n", c.Name, oneLine(c.Err, 100))
			rows++
		}
		for _, x := range c.Exchanges {
			label := fmt.Sprintf("%d %s", x.Index+1, oneLine(x.Label, 40))
			if x.Err != "" && c.Err == "" {
				fmt.Fprintf(tw, "%s\t%s\terror\t-\t%s\t\n", c.Name, label, oneLine(x.Err, 100))
				rows++
			}
			for _, d := range x.Diffs {
				doc := ""
				if d.Finding != nil {
					doc = d.Finding.Ref() + ": " + oneLine(d.Finding.Title, 60)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s -> %s\t%s\n", c.Name, label, d.Class, d.Path, d.ShortA(), d.ShortB(), doc)
				rows++
			}
		}
	}
	if rows == 0 {
		fmt.Fprintln(tw, "(no differences)\t\t\t\t\t")
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(r.Sum.Findings) > 0 {
		fmt.Fprintln(w, "\nDocumented differences and what to do:")
		for _, f := range r.Sum.Findings {
			fmt.Fprintf(w, "  %s (%d×) %s\n      action: %s\n", f.Ref, f.Count, f.Title, f.Action)
			if f.Checklist != "" {
				fmt.Fprintf(w, "      upgrade checklist: %s\n", f.Checklist)
			}
		}
	}
	_, err := fmt.Fprintf(w, "\n%s\n", r.Sum.Line())
	return err
}

func sides(r *Report) string {
	if r.Kind == "diff" {
		return "CLASSIC -> IDENTITY"
	}
	return "EXPECTED -> ACTUAL"
}

func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		s = s[:n-3] + "..."
	}
	return s
}

// Markdown writes a summary, the documented differences and one table per
// failing case.
func (r *Report) Markdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n%s\n\n", mdEsc(r.Title), mdEsc(r.Sum.Line()))
	if len(r.Sum.Findings) > 0 {
		b.WriteString("## Documented differences\n\n| Reference | Count | Difference | Action | Upgrade checklist |\n| --- | --- | --- | --- | --- |\n")
		for _, f := range r.Sum.Findings {
			fmt.Fprintf(&b, "| %s | %d | %s | %s | %s |\n", f.Ref, f.Count, mdEsc(f.Title), mdEsc(f.Action), mdEsc(f.Checklist))
		}
		b.WriteString("\n")
	}
	b.WriteString("## Cases\n\n| Case | Exchanges | Differences | Result |\n| --- | --- | --- | --- |\n")
	for _, c := range r.Cases {
		n := 0
		for _, x := range c.Exchanges {
			n += len(x.Diffs)
		}
		res := "pass"
		if c.Failed() {
			res = "**fail**"
		}
		fmt.Fprintf(&b, "| %s | %d | %d | %s |\n", mdEsc(c.Name), len(c.Exchanges), n, res)
	}
	for _, c := range r.Cases {
		if !c.Failed() {
			continue
		}
		fmt.Fprintf(&b, "\n### %s\n\n", mdEsc(c.Name))
		if c.Err != "" {
			fmt.Fprintf(&b, "Stopped: %s\n\n", mdEsc(c.Err))
		}
		fmt.Fprintf(&b, "| # | Exchange | Class | Path | %s | %s | Documented |\n| --- | --- | --- | --- | --- | --- | --- |\n", mdEsc(c.Left), mdEsc(c.Right))
		for _, x := range c.Exchanges {
			if x.Err != "" {
				fmt.Fprintf(&b, "| %d | %s | error | | | %s | |\n", x.Index+1, mdEsc(x.Label), mdEsc(x.Err))
			}
			for _, d := range x.Diffs {
				doc := ""
				if d.Finding != nil {
					doc = d.Finding.Ref() + ": " + d.Finding.Title
				}
				fmt.Fprintf(&b, "| %d | %s | %s | `%s` | %s | %s | %s |\n", x.Index+1, mdEsc(x.Method+" "+x.Path), d.Class, d.Path,
					mdEsc(d.ShortA()), mdEsc(d.ShortB()), mdEsc(doc))
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func mdEsc(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.ReplaceAll(s, "\n", " ")
}

// JUnit XML (the schema Jenkins, GitLab and GitHub reporters read).
type (
	junitSuites struct {
		XMLName  xml.Name     `xml:"testsuites"`
		Name     string       `xml:"name,attr"`
		Tests    int          `xml:"tests,attr"`
		Failures int          `xml:"failures,attr"`
		Errors   int          `xml:"errors,attr"`
		Skipped  int          `xml:"skipped,attr"`
		Suites   []junitSuite `xml:"testsuite"`
	}
	junitSuite struct {
		Name     string      `xml:"name,attr"`
		Tests    int         `xml:"tests,attr"`
		Failures int         `xml:"failures,attr"`
		Errors   int         `xml:"errors,attr"`
		Skipped  int         `xml:"skipped,attr"`
		Time     string      `xml:"time,attr"`
		Cases    []junitCase `xml:"testcase"`
	}
	junitCase struct {
		Name      string        `xml:"name,attr"`
		Classname string        `xml:"classname,attr"`
		Time      string        `xml:"time,attr"`
		Failure   *junitMessage `xml:"failure,omitempty"`
		Error     *junitMessage `xml:"error,omitempty"`
		Skipped   *junitMessage `xml:"skipped,omitempty"`
	}
	junitMessage struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr,omitempty"`
		Text    string `xml:",chardata"`
	}
)

// JUnit writes one <testsuite> per case and one <testcase> per exchange:
// a difference is a <failure>, a hard failure an <error>, an exchange not
// run <skipped>.
func (r *Report) JUnit(w io.Writer) error {
	out := junitSuites{Name: r.Title}
	for _, c := range r.Cases {
		s := junitSuite{Name: c.Name}
		total := 0.0
		for _, x := range c.Exchanges {
			jc := junitCase{Name: fmt.Sprintf("%02d %s", x.Index+1, x.Label), Classname: strings.ReplaceAll(c.Name, "/", "."),
				Time: fmt.Sprintf("%.3f", x.Timing/1000)}
			total += x.Timing / 1000
			switch {
			case x.Err != "":
				jc.Error = &junitMessage{Message: oneLine(x.Err, 200), Type: "hard failure", Text: x.Err}
				s.Errors++
			case len(x.Diffs) > 0:
				var lines []string
				for _, d := range x.Diffs {
					l := d.String()
					if d.Finding != nil {
						l += "\n    " + d.Finding.Ref() + ": " + d.Finding.Title + "\n    action: " + d.Finding.Action
					}
					lines = append(lines, l)
				}
				jc.Failure = &junitMessage{Message: fmt.Sprintf("%d differences (%s)", len(x.Diffs), classesOf(x.Diffs)), Type: "mismatch",
					Text: strings.Join(lines, "\n")}
				s.Failures++
			case x.NotRun != "":
				jc.Skipped = &junitMessage{Message: x.NotRun}
				s.Skipped++
			}
			s.Cases = append(s.Cases, jc)
		}
		for i := 0; i < c.NotRun && r.Kind == "replay"; i++ {
			s.Cases = append(s.Cases, junitCase{Name: fmt.Sprintf("%02d (not run)", len(c.Exchanges)+i+1), Classname: strings.ReplaceAll(c.Name, "/", "."),
				Time: "0.000", Skipped: &junitMessage{Message: "not run: the case stopped at a hard failure"}})
			s.Skipped++
		}
		s.Tests = len(s.Cases)
		s.Time = fmt.Sprintf("%.3f", total)
		out.Tests += s.Tests
		out.Failures += s.Failures
		out.Errors += s.Errors
		out.Skipped += s.Skipped
		out.Suites = append(out.Suites, s)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func classesOf(ds []diff.Difference) string {
	seen := map[diff.Class]bool{}
	var out []string
	for _, d := range ds {
		if !seen[d.Class] {
			seen[d.Class] = true
			out = append(out, string(d.Class))
		}
	}
	return strings.Join(out, ", ")
}
