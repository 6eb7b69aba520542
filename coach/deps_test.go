package coach_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencyDirection keeps the layout honest: dependencies point
// inward. coach and playbook know no chat SDK, Redis, bbolt or cron; bot
// knows no adapter or store; adapters don't import each other.
func TestDependencyDirection(t *testing.T) {
	const mod = "github.com/stagecoach/stagecoach/"
	forbidden := map[string][]string{
		"playbook":      {mod + "coach", mod + "bot", mod + "storage", "slack-go", "larksuite", "go-redis", "bbolt", "robfig/cron"},
		"coach":         {mod + "bot", mod + "storage", "slack-go", "larksuite", "go-redis", "bbolt", "robfig/cron", "image/png", "net/http"},
		"bot":           {mod + "bot/slack", mod + "bot/lark", mod + "bot/console", mod + "storage", "slack-go", "larksuite", "go-redis", "bbolt", "robfig/cron"},
		"bot/slack":     {mod + "bot/lark", mod + "bot/console", mod + "storage", "larksuite", "go-redis", "bbolt"},
		"bot/lark":      {mod + "bot/slack", mod + "bot/console", mod + "storage", "slack-go", "go-redis", "bbolt"},
		"storage/redis": {mod + "bot", "slack-go", "larksuite", "bbolt"},
		"storage/bolt":  {mod + "bot", "slack-go", "larksuite", "go-redis"},
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
