package report

import (
	"encoding/json"
	"html/template"
	"io"
	"sort"
	"strings"

	"github.com/oktaemu/oktaemu/scenarios"
	"github.com/oktaemu/oktaemu/scenarios/diff"
)

// HTML writes one self-contained page (no external resources): a summary,
// class filters, and per exchange the classified differences and the two
// responses side by side.
func (r *Report) HTML(w io.Writer) error {
	type classCount struct {
		Class diff.Class
		Slug  string
		Count int
	}
	var classes []classCount
	for _, c := range diff.Classes() {
		classes = append(classes, classCount{c, Slug(c), r.Sum.ByClass[c]})
	}
	return page.Execute(w, map[string]any{"R": r, "Classes": classes})
}

// Slug is the CSS-safe name of a class ("status-changed").
func Slug(c diff.Class) string { return strings.ReplaceAll(string(c), " ", "-") }

var page = template.Must(template.New("report").Funcs(template.FuncMap{
	"slug":   Slug,
	"short":  diff.Short,
	"pretty": pretty,
	"inc":    func(i int) int { return i + 1 },
	"slugs": func(ds []diff.Difference) string {
		seen := map[string]bool{}
		var out []string
		for _, d := range ds {
			if s := Slug(d.Class); !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
		sort.Strings(out)
		return strings.Join(out, " ")
	},
}).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.R.Title}}</title>
<style>
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:0;background:#f6f7f9;color:#1d1d1f}
header{position:sticky;top:0;background:#fff;border-bottom:1px solid #ddd;padding:.6em 1.2em;z-index:1}
h1{font-size:1.2em;margin:.2em 0}
#filters label{margin-right:1em;white-space:nowrap;font-size:.9em}
main{padding:1em 1.2em}
section.case{background:#fff;border:1px solid #ddd;border-radius:6px;margin-bottom:1em;padding:.4em .9em}
section.case.failed>h2{color:#b00020}
h2{font-size:1.05em}
.exchange{border-top:1px solid #eee;padding:.4em 0}
.exchange h3{font-size:.95em;margin:.3em 0;font-family:ui-monospace,monospace}
.exchange.hidden,.diff.hidden,section.case.hidden{display:none}
.diffs{margin:.2em 0 .5em 0;padding-left:1.2em;font-size:.9em}
.diff .cls{display:inline-block;border-radius:3px;padding:0 .4em;margin-right:.4em;background:#eee;font-size:.85em}
.diff[data-class=request-refused] .cls,.diff[data-class=status-changed] .cls{background:#fde2e4}
.diff[data-class=error-code-changed] .cls{background:#fff1c2}
.diff[data-class=field-removed] .cls{background:#ffe0cc}
.diff[data-class=field-added] .cls{background:#d8f5d0}
.diff[data-class=shape-changed] .cls{background:#e3dcff}
.finding{display:block;color:#444;margin:.1em 0 .3em 0}
.sides{display:flex;gap:.8em}
.side{flex:1 1 0;min-width:0}
.side h4{margin:.2em 0;font-size:.85em;color:#555}
pre{background:#fafafa;border:1px solid #e5e5e5;padding:.5em;overflow:auto;max-height:28em;font-size:.8em;margin:0}
.err{color:#b00020;font-family:ui-monospace,monospace;font-size:.9em}
.notrun{color:#777;font-size:.9em}
</style></head>
<body>
<header>
<h1>{{.R.Title}}</h1>
<p id="summary">{{.R.Sum.Line}} — <span id="visible-count"></span></p>
<div id="filters">
{{range .Classes}}<label><input type="checkbox" class="class-filter" value="{{.Slug}}" checked> {{.Class}} ({{.Count}})</label>
{{end}}<label><input type="checkbox" id="only-diffs"> only exchanges with differences</label>
</div>
</header>
<main>
{{if .R.Sum.Findings}}<section class="case" id="findings"><h2>Documented differences</h2><ul>
{{range .R.Sum.Findings}}<li><b>{{.Ref}}</b> ({{.Count}}×) {{.Title}}<br>Action: {{.Action}}{{if .Checklist}}<br>Upgrade checklist: {{.Checklist}}{{end}}</li>
{{end}}</ul></section>{{end}}
{{range $c := .R.Cases}}<section class="case{{if $c.Failed}} failed{{end}}" data-name="{{$c.Name}}">
<h2>{{$c.Name}}</h2>
{{if $c.Err}}<p class="err">Stopped: {{$c.Err}}</p>{{end}}
{{range $x := $c.Exchanges}}<div class="exchange" data-classes="{{slugs $x.Diffs}}" data-diffs="{{len $x.Diffs}}">
<h3>{{inc $x.Index}}. {{$x.Method}} {{$x.Path}}{{if ne $x.Label (print $x.Method " " $x.Path)}} — {{$x.Label}}{{end}}</h3>
{{if $x.Err}}<p class="err">{{$x.Err}}</p>{{end}}
{{if $x.NotRun}}<p class="notrun">{{$x.NotRun}}</p>{{end}}
{{if $x.Diffs}}<ul class="diffs">{{range $x.Diffs}}<li class="diff" data-class="{{slug .Class}}"><span class="cls">{{.Class}}</span><code>{{.Path}}</code>: {{.ShortA}} → {{.ShortB}}{{if .Finding}}<span class="finding"><b>{{.Finding.Ref}}</b>: {{.Finding.Title}}. Action: {{.Finding.Action}}</span>{{end}}</li>{{end}}</ul>{{end}}
<div class="sides"><div class="side left"><h4>{{$c.Left}}</h4><pre>{{pretty $x.Left}}</pre></div><div class="side right"><h4>{{$c.Right}}</h4><pre>{{pretty $x.Right}}</pre></div></div>
</div>
{{end}}</section>
{{end}}</main>
<script>
(function(){
  var boxes = Array.prototype.slice.call(document.querySelectorAll('.class-filter'));
  var only = document.getElementById('only-diffs');
  function apply(){
    var on = {};
    boxes.forEach(function(b){ on[b.value] = b.checked; });
    var shown = 0, total = 0;
    document.querySelectorAll('.exchange').forEach(function(x){
      var visibleDiffs = 0;
      x.querySelectorAll('.diff').forEach(function(d){
        var v = !!on[d.getAttribute('data-class')];
        d.classList.toggle('hidden', !v);
        if (v) visibleDiffs++;
      });
      var n = parseInt(x.getAttribute('data-diffs'), 10);
      var hide = (n > 0 && visibleDiffs === 0) || (only.checked && visibleDiffs === 0);
      x.classList.toggle('hidden', hide);
      total++; if (!hide) shown++;
    });
    document.querySelectorAll('section.case[data-name]').forEach(function(c){
      c.classList.toggle('hidden', c.querySelectorAll('.exchange:not(.hidden)').length === 0);
    });
    document.getElementById('visible-count').textContent = shown + ' of ' + total + ' exchanges shown';
  }
  boxes.forEach(function(b){ b.addEventListener('change', apply); });
  only.addEventListener('change', apply);
  apply();
})();
</script>
</body></html>
`))

// pretty renders a response as status, headers and indented JSON.
func pretty(r *scenarios.Response) string {
	if r == nil {
		return "(none)"
	}
	var b strings.Builder
	if r.Status != 0 {
		b.WriteString("HTTP ")
		b.WriteString(itoa(r.Status))
		b.WriteString("\n")
	}
	keys := make([]string, 0, len(r.Headers))
	for k := range r.Headers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range strings.Split(r.Headers[k], "\n") {
			b.WriteString(k + ": " + v + "\n")
		}
	}
	if r.Body != nil {
		b.WriteString("\n")
		if s, ok := r.Body.(string); ok {
			b.WriteString(s)
		} else {
			data, _ := json.MarshalIndent(r.Body, "", "  ")
			b.Write(data)
		}
	}
	return b.String()
}

func itoa(n int) string {
	data, _ := json.Marshal(n)
	return string(data)
}
