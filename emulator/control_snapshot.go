package emulator

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/oktaemu/oktaemu/emulator/internal/httpx"
	"github.com/oktaemu/oktaemu/emulator/internal/okta"
)

// MaxSnapshotBytes bounds a snapshot sent to PUT …/snapshot (bigger than
// the API's body limit: a snapshot holds a whole org).
const MaxSnapshotBytes = 256 << 20

// getSnapshot is GET /_emulator/orgs/{org}/snapshot: the org's complete
// state (see orgSnapshot), byte-stable across a restore.
func (s *Server) getSnapshot(_ *gin.Context, inst *orgInstance) (int, any, error) {
	b, err := s.snapshot(inst)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, json.RawMessage(b), nil
}

// putSnapshot is PUT /_emulator/orgs/{org}/snapshot: replace the org with
// a snapshot (of it, or of another org: a copy), creating it when missing.
// 200 with the org when replaced, 201 when created.
func (s *Server) putSnapshot(c *gin.Context) (int, any, error) {
	if ct := c.ContentType(); ct != "" && ct != httpx.JSONContentType {
		return 0, nil, okta.Errorf(okta.E0000021)
	}
	data, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, MaxSnapshotBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return 0, nil, okta.Errorf(okta.E0000003).WithCauses("The snapshot exceeds the maximum size.")
		}
		return 0, nil, okta.Errorf(okta.E0000003)
	}
	name := c.Param("org")
	if !validOrgName(name) {
		return 0, nil, okta.Validation("org", "name: use lower-case letters, digits and '-', at most 63")
	}
	created, err := s.RestoreOrg(name, data)
	if err != nil {
		return 0, nil, okta.Validation("snapshot", err.Error())
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	return status, s.orgBody(c, s.lookup(name)), nil
}
