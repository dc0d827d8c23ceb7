package main

import (
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"
)

func TestGCPercent(t *testing.T) {
	for _, tc := range []struct {
		live uint64
		want int
	}{
		{0, 2000},        // nothing live yet: capped
		{4 << 20, 1600},  // the default fixture: 64 MiB of headroom
		{32 << 20, 200},  // twice the live heap from here on
		{85 << 20, 200},  // 30,000 users (oktaemu-load's sign-ins)
		{128 << 20, 200}, // up to the ceiling
		{200 << 20, 128}, // 256 MiB of headroom at most
		{256 << 20, 100}, // from here on Go's default
		{400 << 20, 100}, // never below the default
	} {
		if got := gcPercent(tc.live); got != tc.want {
			t.Errorf("gcPercent(%d MiB) = %d, want %d", tc.live>>20, got, tc.want)
		}
	}
}

func TestServeProfiles(t *testing.T) {
	for _, flag := range []string{"--cpuprofile", "--mutexprofile"} {
		t.Run(flag, func(t *testing.T) {
			clearEnv(t)
			path := filepath.Join(t.TempDir(), "profile.pprof")
			_, stop, _ := startServe(t, flag, path)
			if err := stop(); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			// A pprof profile is gzip-compressed protobuf.
			if len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
				t.Errorf("%s is not a pprof profile (%d bytes)", path, len(b))
			}
		})
	}
}

// The collector's target follows the live heap after start: a heap that
// grows gets a smaller percentage at the next collection.
func TestGCTargetFollowsLiveHeap(t *testing.T) {
	t.Setenv("GOGC", "")
	os.Unsetenv("GOGC")
	defer debug.SetGCPercent(100)
	gogc := func() uint64 {
		s := []metrics.Sample{{Name: "/gc/gogc:percent"}}
		metrics.Read(s)
		return s[0].Value.Uint64()
	}
	if pct := tuneGC(); pct <= 100 || gogc() != uint64(pct) {
		t.Fatalf("small heap: tuneGC = %d, GOGC now %d; want above 100", pct, gogc())
	}
	big := make([]byte, 2*gcMinHeadroom)
	for i := range big {
		big[i] = byte(i)
	}
	deadline := time.Now().Add(5 * time.Second)
	for gogc() > 200 && time.Now().Before(deadline) {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	if got := gogc(); got > 200 {
		t.Errorf("with %d MiB live, GOGC = %d, want at most 200", len(big)>>20, got)
	}
	runtime.KeepAlive(big)
}
