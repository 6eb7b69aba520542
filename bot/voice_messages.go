package bot

func init() { register(voiceMessages) }

// voiceMessages are the texts of voice notes (audio.go) and their errors
// (coach/transcribe.go).
var voiceMessages = map[string]tx{
	"voice.transcript": {EN: "🎙 Transcript: “{text}”", ZH: "🎙 转写：“{text}”"},
	"voice.no_deal": {EN: "I couldn't tell which deal this is about, so nothing was recorded. Start with the deal's name (“Acme: …”), or type `note <deal> <text>`.",
		ZH: "我没听出这是关于哪个商机的，所以没有记录。请先说出商机名称（如“远航物流：……”），或输入 `备注 <商机> <内容>`。"},

	"voice.too_long": {EN: "That is longer than one note can be (at most {max} characters), so nothing was recorded. Send shorter voice messages, one per meeting or topic.",
		ZH: "内容超过一条备注的上限（最多 {max} 个字符），因此没有记录。请分成几段较短的语音发送，每段讲一次会面或一个话题。"},

	"err.voice_off": {EN: "Voice notes are not turned on. To turn them on, whoever runs the bot sets `STAGECOACH_ASR_URL` (an OpenAI-compatible `/v1` base with `/audio/transcriptions`, e.g. a local whisper server or `https://api.openai.com/v1`), and `STAGECOACH_ASR_MODEL` and `STAGECOACH_ASR_KEY` if needed, then restarts it. Until then, type the note: `note <deal> <text>`.",
		ZH: "语音备注尚未开启。开启方法：由部署机器人的人设置 `STAGECOACH_ASR_URL`（兼容 OpenAI 的 `/v1` 地址，提供 `/audio/transcriptions`，例如本地 whisper 服务或 `https://api.openai.com/v1`），按需设置 `STAGECOACH_ASR_MODEL` 和 `STAGECOACH_ASR_KEY`，然后重启。在此之前，请直接输入备注：`备注 <商机> <内容>`。"},
	"err.audio_too_large": {EN: "The voice message is larger than {max} MB, the most I can transcribe. Nothing was changed; send a shorter one.",
		ZH: "语音消息超过 {max} MB，超出可转写的上限。没有做任何更改，请发一段更短的。"},
	"err.audio_too_long": {EN: "The voice message is longer than {max} minutes, the most I take for one note. Nothing was changed; send a shorter one.",
		ZH: "语音消息超过 {max} 分钟，超出一条备注的上限。没有做任何更改，请发一段更短的。"},
	"err.audio_type": {EN: "I can't transcribe this kind of file ({type}). Send a voice message or an audio file (mp3, m4a, ogg, wav, webm, flac).",
		ZH: "无法转写这种文件（{type}）。请发送语音消息或音频文件（mp3、m4a、ogg、wav、webm、flac）。"},
	"err.audio_fetch": {EN: "I couldn't download the voice message from the chat platform. Nothing was changed; try again.",
		ZH: "无法从聊天平台下载这条语音消息。没有做任何更改，请重试。"},
	"err.transcribe_failed": {EN: "The transcription service failed. Nothing was changed; try again, or type the note.",
		ZH: "语音转写服务出错。没有做任何更改，请重试，或直接输入备注。"},
	"err.transcribe_timeout": {EN: "The transcription took too long. Nothing was changed; try again, or type the note.",
		ZH: "语音转写超时。没有做任何更改，请重试，或直接输入备注。"},
	"err.transcript_empty": {EN: "I heard no words in the voice message. Nothing was changed.",
		ZH: "语音消息中没有听到任何内容。没有做任何更改。"},
}
