package container

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSplitImage(t *testing.T) {
	tests := []struct{ image, repo, tag string }{
		{"oktaemu", "oktaemu", "latest"},
		{"oktaemu:dev", "oktaemu", "dev"},
		{"localhost:5000/oktaemu", "localhost:5000/oktaemu", "latest"},
		{"localhost:5000/oktaemu:v1", "localhost:5000/oktaemu", "v1"},
	}
	for _, tt := range tests {
		t.Run("image="+tt.image, func(t *testing.T) {
			repo, tag := splitImage(tt.image)
			if diff := cmp.Diff([]string{tt.repo, tt.tag}, []string{repo, tag}); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
