package api

import (
	"math/rand/v2"
	"testing"
	"time"
)

func TestFormatDateMatchesLayout(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	times := []time.Time{
		time.Date(2024, 1, 2, 3, 4, 5, 6_000_000, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 999_999_999, time.UTC),
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2024, 6, 1, 12, 0, 0, 0, time.FixedZone("CEST", 2*3600)),
		time.Unix(0, 0), time.Unix(-1, 0), time.Date(2000, 2, 29, 23, 59, 59, 999_000_000, time.UTC),
		time.Date(2100, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 12, 31, 23, 59, 59, 0, time.UTC),
	}
	for range 1000 {
		times = append(times, time.Unix(r.Int64N(1<<36)-1<<35, r.Int64N(1e9)))
	}
	for _, tm := range times {
		if got, want := formatDate(tm), tm.UTC().Format(DateFormat); got != want {
			t.Errorf("formatDate(%v) = %s, want %s", tm, got, want)
		}
	}
}
