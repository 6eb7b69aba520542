package lark

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	larkim "github.com/larksuite/oapi-sdk-go/v3/service/im/v1"

	"github.com/stagecoach/stagecoach/bot"
)

// audioContent reads an audio message's content, {"file_key":"…",
// "duration":ms}: Lark voice messages are Opus in an Ogg container. ok is
// false for other types or content without a file key.
func audioContent(typ, content string) (*bot.Audio, bool) {
	if typ != "audio" {
		return nil, false
	}
	var c struct {
		FileKey  string  `json:"file_key"`
		Duration float64 `json:"duration"`
	}
	if json.Unmarshal([]byte(content), &c) != nil || c.FileKey == "" || len(c.FileKey) > 512 {
		return nil, false
	}
	ms := int64(0)
	if c.Duration > 0 && c.Duration < 1e12 {
		ms = int64(c.Duration)
	}
	return &bot.Audio{ID: c.FileKey, Name: "voice.ogg", MIME: "audio/ogg", DurationMs: ms}, true
}

// attachAudio gives a voice message its opener, just before the handler
// runs (the opener does not travel through the inbox).
func (a *Adapter) attachAudio(in *incoming) {
	if in.msg.Audio == nil {
		return
	}
	au, mid := *in.msg.Audio, in.messageID
	au.Open = func(ctx context.Context) (io.ReadCloser, error) { return a.resource(ctx, mid, au.ID) }
	in.msg.Audio = &au
}

// resource downloads a file of a message the bot received: GET
// /open-apis/im/v1/messages/:message_id/resources/:file_key?type=file
// (permission im:resource, or im:message.p2p_msg:readonly for DMs).
func (a *Adapter) resource(ctx context.Context, messageID, fileKey string) (io.ReadCloser, error) {
	if messageID == "" || fileKey == "" {
		return nil, fmt.Errorf("lark: message resource: no message id or file key")
	}
	req := larkim.NewGetMessageResourceReqBuilder().MessageId(messageID).FileKey(fileKey).Type("file").Build()
	resp, err := a.cli.Im.V1.MessageResource.Get(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("lark: message resource: %w", err)
	}
	if !resp.Success() {
		return nil, fmt.Errorf("lark: message resource: code %d %s (does the app have the im:resource permission?) request %s", resp.Code, resp.Msg, resp.RequestId())
	}
	if resp.File == nil {
		return nil, fmt.Errorf("lark: message resource: no file in the answer")
	}
	return io.NopCloser(resp.File), nil
}
