package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/playbook"
	"github.com/stagecoach/stagecoach/storage/redis/redistest"
)

func runCmd(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

// TestExportImportCommands: export from one store, import into an empty
// bolt file and an empty Redis, export again: the same JSON; importing
// again is refused with the ids listed, unless --replace.
func TestExportImportCommands(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src.db")
	seedDB(t, src, time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC), time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC))
	withEnv(t, map[string]string{"STAGECOACH_DB": src})
	code, first, errs := runCmd(t, "", "export")
	if code != 0 || !strings.Contains(first, `"format": "stagecoach.team/1"`) || !strings.Contains(first, `"history"`) {
		t.Fatalf("export: exit %d %s\n%s", code, errs, first)
	}
	file := filepath.Join(dir, "t1.json")
	if err := os.WriteFile(file, []byte(first), 0o600); err != nil {
		t.Fatal(err)
	}
	envs := map[string]map[string]string{
		"bolt": {"STAGECOACH_DB": filepath.Join(dir, "dst.db")},
	}
	srv := redistest.StartServer(t)
	envs["redis"] = map[string]string{"REDIS_URL": "redis://" + srv.Addr}
	for name, env := range envs {
		t.Run(name, func(t *testing.T) {
			withEnv(t, env)
			if code, out, errs := runCmd(t, "", "import", file); code != 0 || !strings.Contains(out, "imported team T1: 2 deals") {
				t.Fatalf("import: exit %d %s %s", code, out, errs)
			}
			code, second, errs := runCmd(t, "", "export", "--team", "T1")
			if code != 0 || second != first {
				t.Fatalf("export after import differs (exit %d %s):\n%s\n----\n%s", code, errs, first, second)
			}
			code, _, errs = runCmd(t, first, "import", "-")
			if code != 1 || !strings.Contains(errs, "$.team.id") || !strings.Contains(errs, "$.deals[1].id") || !strings.Contains(errs, "nothing was imported") {
				t.Fatalf("second import: exit %d %s", code, errs)
			}
			if code, _, errs := runCmd(t, "", "import", file, "--replace"); code != 0 {
				t.Fatalf("import --replace: exit %d %s", code, errs)
			}
		})
	}
}

func TestImportReportsProblems(t *testing.T) {
	dir := t.TempDir()
	withEnv(t, map[string]string{"STAGECOACH_DB": filepath.Join(dir, "x.db")})
	bad := `{"format":"stagecoach.team/1","team":{"id":"T","members":{"a":{"id":"a","role":"boss","joined_at":"2026-01-01T00:00:00Z"}},"created_at":"2026-01-01T00:00:00Z","version":1},` +
		`"deals":[{"team":"T","id":"D-1","owner":"zed","name":"","status":"open","buyer_stage":0,"created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z","last_progress_at":"2026-01-01T00:00:00Z","version":1,"history":[]}],"cases":[]}`
	code, _, errs := runCmd(t, bad, "import", "-")
	if code != 1 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"3 problem(s)", "$.team.members.a.role", "$.deals[0].owner", "$.deals[0].name"} {
		if !strings.Contains(errs, want) {
			t.Fatalf("stderr lacks %q:\n%s", want, errs)
		}
	}
	if code, out, _ := runCmd(t, "", "export"); code != 2 || out != "" {
		t.Fatalf("export of an empty store: exit %d %q", code, out)
	}
}

func TestTransferUsage(t *testing.T) {
	withEnv(t, map[string]string{"STAGECOACH_DB": filepath.Join(t.TempDir(), "x.db")})
	for _, args := range [][]string{
		{"import"},
		{"import", "a.json", "b.json"},
		{"import", "a.json", "--force"},
		{"export", "--team"},
		{"export", "extra"},
	} {
		if code, _, errs := runCmd(t, "", args...); code != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", args, code, errs)
		}
	}
}

func TestImportDecodeProblems(t *testing.T) {
	withEnv(t, map[string]string{"STAGECOACH_DB": filepath.Join(t.TempDir(), "x.db")})
	for _, tc := range []struct {
		name, data string
		want       []string
	}{
		{"not JSON", "{\n  \"format\": ", []string{"$: line 2 col", "unexpected EOF"}},
		{"unknown field", `{"format":"stagecoach.team/1","colour":"red"}`, []string{"$: line 1 col", `unknown field "colour"`}},
		{"wrong type", "{\"format\":\"stagecoach.team/1\",\n\"deals\":[{\"value\":\"lots\"}]}", []string{"$: line 2 col", "deals.value is string, want int64"}},
		{"trailing data", `{} {}`, []string{"data after the document"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errs := runCmd(t, tc.data, "import", "-")
			if code != 1 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			for _, w := range append(tc.want, "nothing was imported, 1 problem(s)") {
				if !strings.Contains(errs, w) {
					t.Fatalf("stderr lacks %q:\n%s", w, errs)
				}
			}
		})
	}
}

// FuzzDecodeExport: decoding and validating any input never panics; a
// decode failure is always one problem at "$".
func FuzzDecodeExport(f *testing.F) {
	f.Add([]byte(`{"format":"stagecoach.team/1","team":{"id":"T","members":{"a":{"id":"a","role":"admin","joined_at":"2026-01-01T00:00:00Z"}},"created_at":"2026-01-01T00:00:00Z","version":1},"deals":[],"cases":[]}`))
	f.Add([]byte(`{"format":"x","team":null,"deals":[{"id":"D-1","logs":{"s4.t2":[{"n":0}]}}]}`))
	f.Add([]byte(`[]`))
	pb := playbook.Default()
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := decodeExport(data)
		if err != nil {
			var ie *coach.ImportError
			if !errors.As(err, &ie) || len(ie.Problems) != 1 || ie.Problems[0].Path != "$" {
				t.Fatalf("decode error %v", err)
			}
			return
		}
		for _, p := range coach.ValidateExport(pb, e) {
			if !strings.HasPrefix(p.Path, "$") || p.Msg == "" {
				t.Fatalf("problem %+v", p)
			}
		}
	})
}
