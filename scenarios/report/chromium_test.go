package report

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromium finds a Chromium or Chrome binary; the test skips without one
// (install Debian's: apt-get install -y chromium) unless
// OKTAEMU_REQUIRE_CHROMIUM=1, which makes it fail instead.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "no chromium in PATH (apt-get install -y chromium); the HTML report is not checked in a browser"
	if os.Getenv("OKTAEMU_REQUIRE_CHROMIUM") == "1" {
		t.Fatal(msg + " and OKTAEMU_REQUIRE_CHROMIUM=1")
	}
	t.Skip(msg)
	return ""
}

// TestHTMLRendersInChromium loads the HTML report in headless Chromium:
// the two responses sit side by side, and the class filter hides the
// exchanges whose differences are all of unchecked classes.
func TestHTMLRendersInChromium(t *testing.T) {
	bin := chromium(t)
	d, _ := reports(t)
	file := filepath.Join(t.TempDir(), "report.html")
	if err := os.WriteFile(file, render(t, d, "html"), 0o644); err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin), chromedp.NoSandbox, chromedp.Headless, chromedp.DisableGPU,
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.WindowSize(1400, 1000))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel2 := chromedp.NewContext(actx)
	defer cancel2()
	ctx, cancel3 := context.WithTimeout(ctx, 60*time.Second)
	defer cancel3()

	run := func(what string, a chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, a); err != nil {
			t.Fatalf("chromium: %s: %v", what, err)
		}
	}
	str := func(what string, a chromedp.Action[string]) string {
		t.Helper()
		v, err := chromedp.Run(ctx, a)
		if err != nil {
			t.Fatalf("chromium: %s: %v", what, err)
		}
		return v
	}
	shown := func() int {
		t.Helper()
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('.exchange:not(.hidden)').length`))
		if err != nil {
			t.Fatalf("chromium: counting exchanges: %v", err)
		}
		return n
	}
	run("navigate", chromedp.Navigate("file://"+file))
	run("wait", chromedp.WaitReady(chromedp.CSS("#visible-count")))
	title := str("title", chromedp.Title())
	visible := str("count", chromedp.Text(chromedp.CSS("#visible-count")))
	// The panes of the first exchange: left and right on one row.
	sideBySide, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(function(){
		var l = document.querySelector('.exchange .side.left').getBoundingClientRect();
		var r = document.querySelector('.exchange .side.right').getBoundingClientRect();
		return l.width > 100 && r.width > 100 && l.right <= r.left && Math.abs(l.top - r.top) < 2;
	})()`))
	if err != nil {
		t.Fatalf("chromium: layout: %v", err)
	}
	// Uncheck "value changed": the pipeline exchange (its only
	// difference) disappears; the refused authn stays.
	run("uncheck value changed", chromedp.Click(chromedp.CSS(`input.class-filter[value="value-changed"]`)))
	afterFilter := shown()
	run("only differences", chromedp.Click(chromedp.CSS(`#only-diffs`)))
	afterOnly := shown()
	count := str("count", chromedp.Text(chromedp.CSS("#visible-count")))
	run("check value changed", chromedp.Click(chromedp.CSS(`input.class-filter[value="value-changed"]`)))
	afterRestore := shown()
	if title != "oktaemu diff" {
		t.Errorf("title %q", title)
	}
	if visible != "8 of 8 exchanges shown" {
		t.Errorf("before filtering: %q, want all 8 exchanges shown", visible)
	}
	if !sideBySide {
		t.Error("the two responses are not side by side")
	}
	if afterFilter != 7 {
		t.Errorf("after unchecking value changed: %d exchanges shown, want 7", afterFilter)
	}
	if afterOnly != 1 || count != "1 of 8 exchanges shown" {
		t.Errorf("only differences, value changed unchecked: %d shown (%q), want 1 (the refused authn)", afterOnly, count)
	}
	if afterRestore != 2 {
		t.Errorf("value changed checked again, only differences: %d shown, want 2", afterRestore)
	}
}
