package emulator_test

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/oktaemu/oktaemu/emulator"
	"github.com/oktaemu/oktaemu/emulator/emulatortest"
)

// chromium finds a headless-capable browser, or skips (fails when
// OKTAEMU_REQUIRE_CHROMIUM=1, as CI sets where it installed chromium).
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("OKTAEMU_REQUIRE_CHROMIUM") == "1" {
		t.Fatal("no chromium on PATH and OKTAEMU_REQUIRE_CHROMIUM=1")
	}
	t.Skip("no chromium on PATH: install Debian's chromium package to run the browser tests")
	return ""
}

func browser(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium(t)),
		chromedp.NoSandbox, chromedp.Headless, chromedp.DisableGPU, chromedp.WindowSize(1400, 1800))
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(acancel)
	bctx, bcancel := chromedp.NewContext(actx)
	t.Cleanup(bcancel)
	return bctx
}

// authnCall posts a JSON body to an authn route and decodes the
// transaction.
func authnCall(t *testing.T, c *http.Client, url, body string) map[string]any {
	t.Helper()
	var tx map[string]any
	if st, _ := call(t, c, "POST", url, "", "", body, &tx); st != 200 {
		t.Fatalf("POST %s: %d %v", url, st, tx)
	}
	return tx
}

// pushFactorID finds the push factor in an MFA_REQUIRED transaction.
func pushFactorID(t *testing.T, tx map[string]any) string {
	t.Helper()
	emb, _ := tx["_embedded"].(map[string]any)
	fs, _ := emb["factors"].([]any)
	for _, f := range fs {
		m, _ := f.(map[string]any)
		if m["factorType"] == "push" {
			return m["id"].(string)
		}
	}
	t.Fatalf("no push factor in %v", tx)
	return ""
}

// TestConsoleApprovesPush signs carol in with Okta Verify push through the
// authn API, approves the push with the console's Approve button in
// headless Chromium, and polls authn to SUCCESS. The Identity Engine run
// also configures an admin token, which the page asks for.
func TestConsoleApprovesPush(t *testing.T) {
	for _, tc := range []struct {
		engine     emulator.Engine
		adminToken string
	}{
		{emulator.Classic, ""},
		{emulator.Identity, "00console-admin-token"},
	} {
		t.Run(string(tc.engine), func(t *testing.T) {
			ctx := browser(t)
			s := emulatortest.NewServer(t, emulatortest.WithOptions(emulator.Options{Engine: tc.engine, AdminToken: tc.adminToken}))
			c := s.Client()

			tx := authnCall(t, c, s.URL+"/api/v1/authn", `{"username":"carol@example.com","password":"Pa55word!Emu"}`)
			if tx["status"] != "MFA_REQUIRED" {
				t.Fatalf("authn: %v", tx["status"])
			}
			verify := s.URL + "/api/v1/authn/factors/" + pushFactorID(t, tx) + "/verify"
			poll := `{"stateToken":"` + tx["stateToken"].(string) + `"}`
			tx = authnCall(t, c, verify, poll)
			if tx["status"] != "MFA_CHALLENGE" || tx["factorResult"] != "WAITING" {
				t.Fatalf("push verify: %v %v", tx["status"], tx["factorResult"])
			}

			steps := []chromedp.Action[chromedp.Void]{chromedp.Navigate(s.URL + emulator.ConsolePath)}
			if tc.adminToken != "" {
				steps = append(steps,
					chromedp.WaitVisible(chromedp.ID("token")),
					chromedp.SendKeys(chromedp.ID("token"), tc.adminToken),
					chromedp.Click(chromedp.CSS("#token-form button[type=submit]")))
			}
			steps = append(steps, chromedp.WaitVisible(chromedp.CSS("#pushes-body button[data-tx]")))
			if err := chromedp.Do(ctx, steps...); err != nil {
				t.Fatalf("opening the console: %v", err)
			}
			users, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("users-body")))
			if err != nil {
				t.Fatal(err)
			}
			if err := chromedp.Do(ctx,
				chromedp.Click(chromedp.CSS("#pushes-body button[data-tx]")),
				chromedp.WaitNotPresent(chromedp.CSS("#pushes-body button[data-tx]"))); err != nil {
				t.Fatalf("approving the push: %v", err)
			}
			approved, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("status")))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(users, "carol@example.com") || strings.Contains(users, "Pa55word") || strings.Contains(users, "ultramarine") {
				t.Errorf("users table: %q", users)
			}
			if !strings.Contains(approved, "push approved") {
				t.Errorf("status line %q, want push approved", approved)
			}

			tx = authnCall(t, c, verify, poll)
			if tx["status"] != "SUCCESS" || tx["sessionToken"] == nil {
				t.Fatalf("after approval: %v", tx)
			}

			if path := os.Getenv("OKTAEMU_CONSOLE_SCREENSHOT"); path != "" && tc.engine == emulator.Identity {
				png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, png, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}
