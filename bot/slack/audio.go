package slack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	slackapi "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/stagecoach/stagecoach/bot"
)

// audioFile is the first audio file of a message (a voice clip recorded
// in Slack is audio/webm or audio/mp4), or nil.
func audioFile(files []slackapi.File) *bot.Audio {
	for _, f := range files {
		if !strings.HasPrefix(strings.ToLower(f.Mimetype), "audio/") {
			continue
		}
		u := f.URLPrivateDownload
		if u == "" {
			u = f.URLPrivate
		}
		return &bot.Audio{ID: f.ID, URL: u, Name: f.Name, MIME: f.Mimetype, Size: int64(f.Size), DurationMs: int64(f.DurationMs)}
	}
	return nil
}

// messageAudio is the audio file of a file_share message, or nil.
func messageAudio(e *slackevents.MessageEvent) *bot.Audio {
	if e.SubType != "file_share" || e.Message == nil {
		return nil
	}
	return audioFile(e.Message.Files)
}

// attachAudio gives a voice message its opener, just before the handler
// runs (the opener does not travel through the inbox).
func (a *Adapter) attachAudio(msg *bot.Message) {
	if msg.Audio == nil {
		return
	}
	au := *msg.Audio
	au.Open = func(ctx context.Context) (io.ReadCloser, error) { return a.download(ctx, au) }
	msg.Audio = &au
}

// errNotFile: Slack answered with a web page (its sign-in page), which it
// does when the bot token lacks the files:read scope.
var errNotFile = errors.New("slack: the file URL answered with a web page: does the app have the files:read scope?")

// download fetches a file shared with the bot: url_private_download with
// the bot token (scope files:read), looked up with files.info when the
// event did not carry it. The token is sent only to Slack (or the
// configured API host).
func (a *Adapter) download(ctx context.Context, au bot.Audio) (io.ReadCloser, error) {
	u := au.URL
	if u == "" && au.ID != "" {
		f, _, _, err := a.api.GetFileInfoContext(ctx, au.ID, 0, 0)
		if err != nil {
			return nil, fmt.Errorf("slack: files.info: %w", err)
		}
		if u = f.URLPrivateDownload; u == "" {
			u = f.URLPrivate
		}
	}
	if !a.trustedFileURL(u) {
		return nil, fmt.Errorf("slack: file URL not on Slack: %q", clipURL(u))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("slack: file request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+a.cfg.BotToken)
	// The context (coach's transcription timeout) bounds the download,
	// not the Web API client's short timeout: a clip may be megabytes.
	hc := *a.hc
	hc.Timeout = 0
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("slack: file download: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, fmt.Errorf("slack: file download: status %d", resp.StatusCode)
	}
	if strings.HasPrefix(strings.ToLower(resp.Header.Get("Content-Type")), "text/html") {
		resp.Body.Close()
		return nil, errNotFile
	}
	return resp.Body, nil
}

// trustedFileURL reports whether u may receive the bot token: https on
// slack.com, or the host of the configured API URL (tests, proxies).
func (a *Adapter) trustedFileURL(u string) bool {
	p, err := url.Parse(u)
	if err != nil || p.Host == "" || p.User != nil {
		return false
	}
	if a.cfg.APIURL != "" {
		if api, err := url.Parse(a.cfg.APIURL); err == nil && api.Host != "" && api.Host == p.Host && api.Scheme == p.Scheme {
			return true
		}
	}
	h := strings.ToLower(p.Hostname())
	return p.Scheme == "https" && (h == "slack.com" || strings.HasSuffix(h, ".slack.com"))
}

func clipURL(u string) string {
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		u = u[:i]
	}
	if len(u) > 80 {
		u = u[:80]
	}
	return u
}
