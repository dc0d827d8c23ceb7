package emulator_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/oktaemu/oktaemu"

// repoRoot is the module root, one level above this package.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// packageImports returns the imports of the non-test Go files in dir.
func packageImports(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var imports []string
	fset := token.NewFileSet()
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, e.Name()), nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			imports = append(imports, p)
		}
	}
	return imports
}

// TestDomainHasNoTransport keeps the domain (org) and the vocabulary (okta)
// free of HTTP: neither they nor any project package they import may import
// net/http or gin.
func TestDomainHasNoTransport(t *testing.T) {
	root := repoRoot(t)
	forbidden := []string{"net/http", "github.com/gin-gonic/gin"}
	for _, pkg := range []string{"emulator/internal/org", "emulator/internal/okta"} {
		seen := map[string]bool{}
		var walk func(rel string, path []string)
		walk = func(rel string, path []string) {
			if seen[rel] {
				return
			}
			seen[rel] = true
			for _, imp := range packageImports(t, filepath.Join(root, rel)) {
				for _, f := range forbidden {
					if imp == f || strings.HasPrefix(imp, f+"/") {
						t.Errorf("%s imports %s (via %s)", pkg, imp, strings.Join(append(path, rel), " -> "))
					}
				}
				if sub, ok := strings.CutPrefix(imp, module+"/"); ok {
					walk(sub, append(path, rel))
				}
			}
		}
		walk(pkg, nil)
	}
}

// TestNoEngineComparisons enforces that only the engine layer branches on
// the engine: outside emulator/internal/engine and emulator/engines.go, no
// non-test code compares anything with a Classic or Identity constant.
func TestNoEngineComparisons(t *testing.T) {
	root := repoRoot(t)
	isEngineConst := func(e ast.Expr) bool {
		switch x := e.(type) {
		case *ast.SelectorExpr:
			return x.Sel.Name == "Classic" || x.Sel.Name == "Identity"
		case *ast.Ident:
			return x.Name == "Classic" || x.Name == "Identity"
		}
		return false
	}
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if strings.HasPrefix(d.Name(), ".") || rel == "emulator/internal/engine" || strings.HasPrefix(rel, "emulator/internal/engine/") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(rel, ".go") || strings.HasSuffix(rel, "_test.go") || rel == "emulator/engines.go" {
			return nil
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.BinaryExpr:
				if (x.Op == token.EQL || x.Op == token.NEQ) && (isEngineConst(x.X) || isEngineConst(x.Y)) {
					t.Errorf("%s: engine compared outside the engine layer (make it a Profile field)", fset.Position(x.Pos()))
				}
			case *ast.CaseClause:
				for _, e := range x.List {
					if isEngineConst(e) {
						t.Errorf("%s: switch on the engine outside the engine layer (make it a Profile field)", fset.Position(e.Pos()))
					}
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestPackagesHaveDoc checks that every package has a doc.go.
func TestPackagesHaveDoc(t *testing.T) {
	root := repoRoot(t)
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		if strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" {
			return filepath.SkipDir
		}
		entries, _ := os.ReadDir(path)
		hasGo, hasDoc := false, false
		for _, e := range entries {
			n := e.Name()
			if strings.HasSuffix(n, ".go") && !strings.HasSuffix(n, "_test.go") {
				hasGo = true
				hasDoc = hasDoc || n == "doc.go"
			}
		}
		rel, _ := filepath.Rel(root, path)
		if hasGo && !hasDoc {
			t.Errorf("package %s has no doc.go", filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
