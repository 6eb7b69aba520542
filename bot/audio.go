package bot

import (
	"context"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/stagecoach/stagecoach/coach"
)

// Audio is a voice message (Message.Audio). The adapter that received it
// sets the fields it knows; they travel with the message through the
// inbox, so any replica can answer. Open, set by the adapter just before
// the handler runs, fetches the file from the platform.
type Audio struct {
	ID         string `json:"id,omitempty"`   // the platform's file id (Slack file id, Lark file_key)
	URL        string `json:"url,omitempty"`  // download URL, when the platform gives one (Slack)
	Name       string `json:"name,omitempty"` // file name, e.g. "audio_message.webm"
	MIME       string `json:"mime,omitempty"`
	Size       int64  `json:"size,omitempty"` // bytes; 0: unknown
	DurationMs int64  `json:"ms,omitempty"`   // 0: unknown

	Open func(ctx context.Context) (io.ReadCloser, error) `json:"-"`
}

// replyReserve is the part of a job's time kept for the note and the
// reply after transcription.
const replyReserve = 3 * time.Second

// voiceNote transcribes a voice message (coach decides the limits) and
// handles the transcript as a plain message typed by the rep: a note on
// the deal it names, or a question which deal, with the proposals card.
// A transcript never runs a command: a misheard word must not change a
// deal. The reply starts with the transcript, so the rep sees what was
// understood.
func (r *Router) voiceNote(q *Request) (Reply, error) {
	au := q.Msg.Audio
	ctx := q.Ctx
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) > 2*replyReserve {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, dl.Add(-replyReserve))
		defer cancel()
	}
	text, err := r.svc.Transcribe(ctx, coach.Audio{
		Name: au.Name, MIME: au.MIME, Size: au.Size, Duration: time.Duration(au.DurationMs) * time.Millisecond, Open: au.Open,
	}, q.Lang)
	if err != nil {
		return Reply{}, err
	}
	// A caption typed with the clip ("Acme") comes first.
	if caption := strings.TrimSpace(q.Msg.Text); caption != "" {
		text = caption + "\n" + text
	}
	q.Msg.Text = text
	// answered in the language spoken, as a typed message would be
	q.Lang = r.lang(q.Msg, q.Team, q.Member)
	heard := Text{Text: q.T("voice.transcript", "text", clip(text, 1500))}
	if n := utf8.RuneCountInString(text); n > coach.MaxTextLen {
		// shown, not recorded: a note has the same limit typed or spoken
		rep := Reply{Error: true, Ephemeral: true, Summary: heard.Text}
		rep.Add(heard, Text{Text: q.T("voice.too_long", "max", strconv.Itoa(coach.MaxTextLen))})
		return rep, nil
	}
	rep, handled, err := r.sessionInput(q)
	if !handled && err == nil {
		rep, handled, err = r.plainNote(q)
	}
	switch {
	case err != nil:
		if _, user := coach.AsError(err); !user {
			return Reply{}, err
		}
		rep = r.errorReply(q, err)
	case !handled:
		rep = Reply{Ephemeral: true}
		rep.Add(Text{Text: q.T("voice.no_deal")})
	}
	rep.Blocks = append([]Block{heard}, rep.Blocks...)
	if rep.Summary == "" {
		rep.Summary = heard.Text
	}
	return rep, nil
}
