package container_test

import (
	"net/http"
	"testing"

	"github.com/oktaemu/oktaemu/emulator"
	"github.com/oktaemu/oktaemu/emulator/emulatortest/container"
)

// testListUsers is what a test in your own module looks like: Start runs the
// emulator image (or uses $OKTAEMU_URL, or skips when Docker is missing) and
// removes the container when the test ends.
func testListUsers(t *testing.T) {
	e := container.Start(t, container.Options{Engine: emulator.Identity})

	req, _ := http.NewRequest(http.MethodGet, e.URL+"/api/v1/users", nil)
	req.Header.Set("Authorization", "SSWS "+e.Token)
	req.Header.Set("Accept", "application/json")
	resp, err := e.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/v1/users: %s", resp.Status)
	}
}

// This example shows a test that talks to oktaemu in a container.
func Example() {
	_ = testListUsers // in your module: func TestListUsers(t *testing.T)
}
