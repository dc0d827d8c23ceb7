package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/oktaemu/oktaemu/emulator"
)

// loadState restores every org from the --state file. A missing file is
// not an error (first start): it reports false and the orgs come from the
// flags.
func loadState(emu *emulator.Server, path string) (bool, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("--state: %w", err)
	}
	if err := emu.LoadState(data); err != nil {
		return false, fmt.Errorf("--state %s: %w", path, err)
	}
	return true, nil
}

// saveState writes every org to the --state file.
func saveState(emu *emulator.Server, path string) error {
	data, err := emu.SaveState()
	if err != nil {
		return fmt.Errorf("--state: %w", err)
	}
	if err := writeFileAtomic(path, data, 0o600); err != nil {
		return fmt.Errorf("--state: %w", err)
	}
	return nil
}

// writeFileAtomic replaces path with data so that a crash at any point
// leaves either the old file or the new one, never a mix: it writes a
// temporary file in the same directory, fsyncs it, renames it over path and
// fsyncs the directory. The file holds secrets (TOTP seeds, tokens), hence
// perm 0600 by default.
func writeFileAtomic(path string, data []byte, perm os.FileMode) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(tmp)
		}
	}()
	if err = f.Chmod(perm); err != nil {
		return err
	}
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, path); err != nil {
		return err
	}
	if d, derr := os.Open(dir); derr == nil {
		// Persist the rename; some filesystems refuse to sync a directory.
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}
