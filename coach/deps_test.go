package coach_test

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const mod = "github.com/stagecoach/stagecoach/"

// core is the standard library every package may use: no network, files,
// processes, images or reflection.
var core = []string{
	"bufio", "bytes", "cmp", "container/heap", "context", "errors", "fmt", "hash/fnv", "io", "iter", "log/slog",
	"maps", "math", "math/bits", "math/rand/v2", "regexp", "slices", "sort", "strconv", "strings", "sync",
	"sync/atomic", "time", "unicode", "unicode/utf8",
}

// allowed lists, per package, what it may import beyond core: module
// packages (relative to the module, ending in "/" for a subtree),
// standard-library packages and third-party module prefixes. Dependencies
// point inward: cmd → everything; adapters → bot → coach → playbook;
// storage → coach. Adapters never import each other or a store; bot never
// imports a store; coach imports no chat SDK, store, network or image
// package. A package missing here fails the test: add it with its reason.
var allowed = map[string][]string{
	"playbook": {"embed", "os", "reflect", "gopkg.in/yaml.v3"},
	"coach":    {mod + "playbook"},
	// the optional language model reader: the only coach package on the network
	"coach/llm": {mod + "coach", mod + "playbook", "encoding/json", "net/http", "github.com/openai/openai-go/v3"},
	// the optional speech-to-text endpoint for voice notes
	"coach/asr": {mod + "coach", "net/http", "github.com/openai/openai-go/v3"},
	// the notes corpus and its scoring, for tests in coach and bot
	"coach/notecorpus":        {mod + "coach", mod + "playbook", "embed", "testing", "gopkg.in/yaml.v3"},
	"bot":                     {mod + "coach", mod + "playbook", mod + "bot/chart", "crypto/rand", "encoding/csv", "encoding/hex", "encoding/json"},
	"bot/console":             {mod + "bot", "golang.org/x/term"},
	"bot/chart":               {"image", "image/color", "image/png"}, // the PNG charts, from plain numbers
	"bot/slack":               {mod + "bot", "crypto/sha256", "encoding/hex", "encoding/json", "net/http", "net/url", "github.com/slack-go/slack"},
	"bot/lark":                {mod + "bot", "crypto/aes", "crypto/cipher", "crypto/rand", "crypto/sha256", "crypto/subtle", "encoding/base64", "encoding/hex", "encoding/json", "net/http", "github.com/larksuite/oapi-sdk-go/v3"},
	"bot/bottest":             {mod + "bot", mod + "bot/console", mod + "coach", mod + "playbook", mod + "storage/bolt", "path/filepath", "testing"},
	"storage/bolt":            {mod + "coach", "crypto/rand", "encoding/binary", "encoding/hex", "encoding/json", "go.etcd.io/bbolt"},
	"storage/redis":           {mod + "coach", "crypto/rand", "crypto/tls", "encoding/hex", "encoding/json", "net", "github.com/redis/go-redis/v9"},
	"storage/redis/redistest": {"net", "os", "os/exec", "syscall", "testing", "github.com/alicebob/miniredis/v2", "github.com/redis/go-redis/v9"},
	"storage/storagetest":     {mod + "coach", "reflect", "testing"},
	// Mirror targets: coach and their one remote API; no store, no bot.
	"storage/mirror/larkbase":              {mod + "coach", "crypto/sha256", "encoding/hex", "encoding/json", "github.com/larksuite/oapi-sdk-go/v3"},
	"storage/mirror/larkbase/larkbasetest": {"crypto/sha256", "encoding/json", "net/http", "net/http/httptest"},
	"storage/mirror/webhook":               {mod + "coach", "crypto/hmac", "crypto/sha256", "encoding/hex", "encoding/json", "net", "net/http", "net/netip", "syscall"},
	// cmd only wires: it may import anything.
	"cmd/stagecoach":      {"*"},
	"cmd/stagecoach-load": {"*"},
}

// TestDependencyAllowList keeps the layout honest: every package imports
// only what its entry in allowed permits.
func TestDependencyAllowList(t *testing.T) {
	readSources(t)
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Imports " "}}`, mod+"...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	seen := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		pkg := strings.TrimPrefix(f[0], mod)
		allow, ok := allowed[pkg]
		if !ok {
			t.Errorf("package %s has no entry in the allow-list", pkg)
			continue
		}
		seen++
		if slices.Contains(allow, "*") {
			continue
		}
		for _, imp := range f[1:] {
			if !permitted(imp, allow) {
				t.Errorf("%s imports %s, which its allow-list does not permit", pkg, imp)
			}
		}
	}
	if seen < 10 {
		t.Fatalf("only %d packages listed", seen)
	}
}

// readSources reads every Go file and go.mod of the module, so go test's
// cache (which tracks the files a test opens, not those go list reads)
// reruns the dependency tests when any import may have changed.
func readSources(t *testing.T) {
	t.Helper()
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != ".." {
			return filepath.SkipDir
		}
		if !d.IsDir() && (strings.HasSuffix(path, ".go") || d.Name() == "go.mod") {
			_, err = os.ReadFile(path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func permitted(imp string, allow []string) bool {
	if slices.Contains(core, imp) || slices.Contains(allow, imp) {
		return true
	}
	for _, a := range allow {
		// a third-party module covers its packages; a module package
		// does not cover its sub-packages (bot is not bot/slack)
		if !strings.HasPrefix(a, mod) && strings.Contains(a, ".") && strings.HasPrefix(imp, a+"/") {
			return true
		}
	}
	return false
}

// TestDependencyDirection checks the transitive rules the allow-list
// implies, so an indirect path cannot break them either.
func TestDependencyDirection(t *testing.T) {
	readSources(t)
	forbidden := map[string][]string{
		"playbook":      {mod + "coach", mod + "bot", mod + "storage", "slack-go", "larksuite", "go-redis", "bbolt", "robfig/cron"},
		"coach":         {mod + "bot", mod + "storage", "slack-go", "larksuite", "go-redis", "bbolt", "robfig/cron", "net/", "image"},
		"bot":           {mod + "bot/slack", mod + "bot/lark", mod + "bot/console", mod + "storage", "slack-go", "larksuite", "go-redis", "bbolt", "robfig/cron"},
		"bot/slack":     {mod + "bot/lark", mod + "bot/console", mod + "storage", "larksuite", "go-redis", "bbolt"},
		"bot/lark":      {mod + "bot/slack", mod + "bot/console", mod + "storage", "slack-go", "go-redis", "bbolt"},
		"bot/console":   {mod + "bot/slack", mod + "bot/lark", mod + "storage", "slack-go", "larksuite", "go-redis", "bbolt"},
		"storage/redis": {mod + "bot", "slack-go", "larksuite", "bbolt"},
		"storage/bolt":  {mod + "bot", "slack-go", "larksuite", "go-redis"},
		// The mirror targets know coach and their one remote API, no store.
		"storage/mirror/larkbase": {mod + "bot", mod + "storage/bolt", mod + "storage/redis", "slack-go", "go-redis", "bbolt"},
		"storage/mirror/webhook":  {mod + "bot", mod + "storage/bolt", mod + "storage/redis", "slack-go", "larksuite", "go-redis", "bbolt"},
	}
	for pkg, bad := range forbidden {
		out, err := exec.Command("go", "list", "-deps", mod+pkg).Output()
		if err != nil {
			t.Fatalf("go list %s: %v", pkg, err)
		}
		for _, dep := range strings.Fields(string(out)) {
			for _, b := range bad {
				if strings.Contains(dep, b) {
					t.Errorf("%s depends on %s", pkg, dep)
				}
			}
		}
	}
}
