package main

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// There is no Docker engine in CI: these tests read the Dockerfile and
// docker-compose.yml and keep them in step with the binary (its path,
// `serve`, `health`, the drain and the health timeout).

func readRepoFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("../../" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// dockerfileArray returns the JSON array of the instruction (e.g.
// "ENTRYPOINT") in the Dockerfile's last stage; continuation lines joined.
func dockerfileArray(t *testing.T, df, instr string) []string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^`+instr+`\b.*?(\[.*\])\s*$`).FindAllStringSubmatch(df, -1)
	if len(m) == 0 {
		t.Fatalf("Dockerfile has no %s [...]", instr)
	}
	var arr []string
	if err := json.Unmarshal([]byte(m[len(m)-1][1]), &arr); err != nil {
		t.Fatalf("%s: %v", instr, err)
	}
	return arr
}

func TestDockerfile(t *testing.T) {
	df := strings.ReplaceAll(readRepoFile(t, "Dockerfile"), "\\\n", " ")
	entry := dockerfileArray(t, df, "ENTRYPOINT")
	if len(entry) != 1 || !strings.Contains(df, "COPY --from=build /out/stagecoach "+entry[0]+"\n") {
		t.Fatalf("ENTRYPOINT %q is not the binary the runtime stage copies", entry)
	}
	if cmd := dockerfileArray(t, df, "CMD"); !slices.Equal(cmd, []string{"serve"}) {
		t.Errorf(`CMD %q, want ["serve"]`, cmd)
	}
	if hc := dockerfileArray(t, df, "HEALTHCHECK"); !slices.Equal(hc, []string{entry[0], "health"}) {
		t.Errorf("HEALTHCHECK runs %q, want %q", hc, []string{entry[0], "health"})
	}
	if m := regexp.MustCompile(`HEALTHCHECK .*--timeout=(\S+)`).FindStringSubmatch(df); m == nil || mustDuration(t, m[1]) <= healthTimeout {
		t.Errorf("HEALTHCHECK --timeout must exceed the health command's own %v: %v", healthTimeout, m)
	}
	if strings.Contains(df, "stagecoach-load") {
		t.Error("the load tool is built into the image")
	}
	runtime := df[strings.LastIndex(df, "\nFROM "):]
	if !strings.Contains(runtime, "FROM gcr.io/distroless/static") || !strings.Contains(runtime, "USER nonroot") {
		t.Error("the runtime stage is not distroless and non-root")
	}
}

func TestCompose(t *testing.T) {
	var c struct {
		Services map[string]struct {
			Command         []string  `yaml:"command"`
			EnvFile         yaml.Node `yaml:"env_file"`
			StopGracePeriod string    `yaml:"stop_grace_period"`
			Healthcheck     struct {
				Test    []string `yaml:"test"`
				Timeout string   `yaml:"timeout"`
			} `yaml:"healthcheck"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal([]byte(readRepoFile(t, "docker-compose.yml")), &c); err != nil {
		t.Fatal(err)
	}
	bot, ok := c.Services["bot"]
	if !ok {
		t.Fatal("no bot service")
	}
	entry := dockerfileArray(t, strings.ReplaceAll(readRepoFile(t, "Dockerfile"), "\\\n", " "), "ENTRYPOINT")
	if want := []string{"CMD", entry[0], "health"}; !slices.Equal(bot.Healthcheck.Test, want) {
		t.Errorf("healthcheck %q, want %q", bot.Healthcheck.Test, want)
	}
	if mustDuration(t, bot.Healthcheck.Timeout) <= healthTimeout {
		t.Errorf("healthcheck timeout %s must exceed the health command's own %v", bot.Healthcheck.Timeout, healthTimeout)
	}
	if d := mustDuration(t, bot.StopGracePeriod); d <= shutdownDrain {
		t.Errorf("stop_grace_period %v must be longer than the %v drain", d, shutdownDrain)
	}
	if bot.EnvFile.Kind != yaml.ScalarNode || bot.EnvFile.Value != ".env" {
		t.Errorf("env_file: want the short form `env_file: .env`")
	}
	if len(bot.Command) > 0 && !slices.Equal(bot.Command, []string{"serve"}) {
		t.Errorf("command %q: the bot service must run serve", bot.Command)
	}
	// .env.example names every variable the no-platform error asks for.
	example := readRepoFile(t, ".env.example")
	for _, v := range []string{"SLACK_BOT_TOKEN", "LARK_APP_ID"} {
		if !strings.Contains(example, v+"=") || !strings.Contains(errNoPlatform.Error(), v) {
			t.Errorf("%s missing from .env.example or the serve error", v)
		}
	}
}

func mustDuration(t *testing.T, s string) time.Duration {
	t.Helper()
	d, err := time.ParseDuration(s)
	if err != nil {
		t.Fatalf("duration %q: %v", s, err)
	}
	return d
}
