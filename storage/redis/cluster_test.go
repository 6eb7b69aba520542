package redis_test

import (
	"context"
	"fmt"
	"net"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/stagecoach/stagecoach/bot/bottest"
	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/storage/redis"
	"github.com/stagecoach/stagecoach/storage/redis/redistest"
	"github.com/stagecoach/stagecoach/storage/storagetest"
)

// startCluster starts a local Redis Cluster of three masters (no
// replicas) from the redis-server on PATH: each node gets a third of the
// 16384 slots, the nodes MEET, and it waits for cluster_state:ok.
func startCluster(t *testing.T) []string {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server not on PATH (CI installs it)")
	}
	var addrs []string
	for i := 0; i < 3; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		_, port, _ := net.SplitHostPort(addr)
		dir := t.TempDir()
		cmd := exec.Command(bin, "--port", port, "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no",
			"--cluster-enabled", "yes", "--cluster-config-file", filepath.Join(dir, "nodes.conf"), "--logfile", filepath.Join(dir, "redis.log"))
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		addrs = append(addrs, addr)
	}
	ctx := context.Background()
	nodes := make([]*goredis.Client, len(addrs))
	for i, a := range addrs {
		nodes[i] = goredis.NewClient(&goredis.Options{Addr: a})
		t.Cleanup(func() { nodes[i].Close() })
		for attempt := 0; nodes[i].Ping(ctx).Err() != nil; attempt++ {
			if attempt > 200 {
				t.Fatalf("node %s did not start", a)
			}
			time.Sleep(25 * time.Millisecond)
		}
	}
	per := 16384 / len(nodes)
	for i, n := range nodes {
		lo, hi := i*per, (i+1)*per-1
		if i == len(nodes)-1 {
			hi = 16383
		}
		if err := n.Do(ctx, "CLUSTER", "ADDSLOTSRANGE", lo, hi).Err(); err != nil {
			t.Fatalf("addslots: %v", err)
		}
	}
	for _, a := range addrs[1:] {
		host, port, _ := net.SplitHostPort(a)
		if err := nodes[0].Do(ctx, "CLUSTER", "MEET", host, port).Err(); err != nil {
			t.Fatalf("meet: %v", err)
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for _, n := range nodes {
		for {
			info, _ := n.ClusterInfo(ctx).Result()
			if strings.Contains(info, "cluster_state:ok") && strings.Contains(info, "cluster_known_nodes:3") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("cluster not ok: %s", info)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	return addrs
}

// TestClusterThreeMasters runs the conformance suite on a local 3-master
// Redis Cluster through NewClient (a cluster client for ≥2 addresses), and
// proves from the servers that every key of a deal lives in one slot.
func TestClusterThreeMasters(t *testing.T) {
	addrs := startCluster(t)
	c, err := redis.NewClient(redis.Config{Addrs: addrs})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	cc, ok := c.(*goredis.ClusterClient)
	if !ok {
		t.Fatalf("client %T, want a cluster client", c)
	}
	t.Run("conformance", func(t *testing.T) {
		storagetest.Run(t, func(t *testing.T) coach.Store {
			return redis.New(c, redis.WithPrefix(redistest.Prefix(t, c)), redis.WithOpTimeout(10*time.Second))
		})
	})
	t.Run("one deal, one slot", func(t *testing.T) {
		ctx := context.Background()
		prefix := "slot-" + fmt.Sprint(time.Now().UnixNano())
		st := redis.New(c, redis.WithPrefix(prefix))
		teams := []string{"T1", "Acme {weird} team"}
		for _, team := range teams {
			e := bottest.New(t, bottest.WithStore(st))
			e.Team = team
			e.Ask("alice", `new "Deal"`)
			e.Ask("alice", "check D-1 s1.m1")
			e.Ask("alice", "coach D-1 needs")
		}
		// Group every key under the prefix by the slot the server reports;
		// the only keys outside a team's slot are the global ones.
		bySlot := map[int64][]string{}
		for _, k := range keysUnder(t, cc, prefix) {
			if k == prefix+":teams" || strings.HasPrefix(k, prefix+":seen:") || strings.HasPrefix(k, prefix+":lock:") {
				continue
			}
			slot, err := cc.ClusterKeySlot(ctx, k).Result()
			if err != nil {
				t.Fatal(err)
			}
			bySlot[slot] = append(bySlot[slot], k)
		}
		if len(bySlot) != len(teams) {
			t.Fatalf("want one slot per team (%d), got %d: %v", len(teams), len(bySlot), bySlot)
		}
		for slot, keys := range bySlot {
			tag := keys[0][:strings.Index(keys[0], "}")+1]
			var kinds []string
			for _, k := range keys {
				if !strings.HasPrefix(k, tag) {
					t.Fatalf("slot %d mixes teams: %v", slot, keys)
				}
				kinds = append(kinds, strings.SplitN(k[len(tag):], ":", 3)[1])
			}
			for _, want := range []string{"deal", "hist", "progress", "team", "sess"} {
				if !slices.Contains(kinds, want) {
					t.Fatalf("slot %d lacks the %s key: %v", slot, want, keys)
				}
			}
		}
	})
}

// keysUnder lists the keys with prefix on every master.
func keysUnder(t *testing.T, cc *goredis.ClusterClient, prefix string) []string {
	var mu sync.Mutex
	var keys []string
	err := cc.ForEachMaster(context.Background(), func(ctx context.Context, n *goredis.Client) error {
		it := n.Scan(ctx, 0, prefix+":*", 1000).Iterator()
		for it.Next(ctx) {
			mu.Lock()
			keys = append(keys, it.Val())
			mu.Unlock()
		}
		return it.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	return keys
}
