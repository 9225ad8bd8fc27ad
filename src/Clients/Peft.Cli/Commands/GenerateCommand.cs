using System.CommandLine;
using System.Globalization;
using Peft.Protos.V1;

namespace Peft.Cli.Commands;

/// <summary><c>peft generate</c>: streams a completion to the terminal; with --json prints one object at the end.</summary>
internal static class GenerateCommand
{
    public static Command Create(GlobalOptions global, TextWriter output, TextWriter error)
    {
        var prompt = new Argument<string?>("prompt") { Description = "Text prompt (or use --token-ids)", Arity = ArgumentArity.ZeroOrOne };
        var tokenIds = new Option<string?>("--token-ids") { Description = "Prompt as token ids, comma- or space-separated" };
        var adapter = new Option<string?>("--adapter", "-a") { Description = "Adapter id (default: the base model)" };
        var maxNewTokens = new Option<uint>("--max-new-tokens", "-n") { Description = "Upper bound on generated tokens (0: server default)" };
        var temperature = new Option<float>("--temperature", "-t") { Description = "0 (default) is greedy; else (0, 100]" };
        var topK = new Option<int>("--top-k") { Description = "Keep the k most likely tokens (0: no limit)" };
        var topP = new Option<float?>("--top-p") { Description = "Nucleus sampling threshold, (0, 1]" };
        var minP = new Option<float>("--min-p") { Description = "Drop tokens below min-p times the top probability, [0, 1]" };
        var repetition = new Option<float?>("--repetition-penalty") { Description = "Hugging Face-style, (0, 10]" };
        var presence = new Option<float>("--presence-penalty") { Description = "[-2, 2]" };
        var frequency = new Option<float>("--frequency-penalty") { Description = "[-2, 2]" };
        var seed = new Option<ulong?>("--seed") { Description = "Seed for reproducible sampling" };
        var stop = new Option<string[]>("--stop") { Description = "Stop string (repeatable)" };
        var stopTokenIds = new Option<int[]>("--stop-token-id") { Description = "Stop token id (repeatable)" };
        var ignoreEos = new Option<bool>("--ignore-eos") { Description = "Keep generating past EOS" };
        var logprobs = new Option<uint?>("--logprobs") { Description = "Return logprobs with this many alternatives per token (0 to 20)" };
        var noSpecial = new Option<bool>("--no-special-tokens") { Description = "Do not add BOS (or other special tokens) to a text prompt" };
        var timeout = new Option<double?>("--timeout") { Description = "Deadline in seconds" };

        var command = new Command("generate", "Generate text with the base model or an adapter; streams to the terminal.")
        {
            prompt, tokenIds, adapter, maxNewTokens, temperature, topK, topP, minP, repetition, presence, frequency, seed, stop,
            stopTokenIds, ignoreEos, logprobs, noSpecial, timeout,
        };
        command.SetAction(async (parse, ct) =>
        {
            var sampling = new SamplingParams
            {
                MaxNewTokens = parse.GetValue(maxNewTokens),
                Temperature = parse.GetValue(temperature),
                TopK = parse.GetValue(topK),
                MinP = parse.GetValue(minP),
                PresencePenalty = parse.GetValue(presence),
                FrequencyPenalty = parse.GetValue(frequency),
                IgnoreEos = parse.GetValue(ignoreEos),
            };
            if (parse.GetValue(topP) is { } p) sampling.TopP = p;
            if (parse.GetValue(repetition) is { } r) sampling.RepetitionPenalty = r;
            if (parse.GetValue(seed) is { } s) sampling.Seed = s;
            if (parse.GetValue(logprobs) is { } l) sampling.TopLogprobs = l;
            sampling.Stop.Add(parse.GetValue(stop) ?? []);
            sampling.StopTokenIds.Add(parse.GetValue(stopTokenIds) ?? []);

            var request = new GenerateRequest { AdapterId = parse.GetValue(adapter) ?? "", Sampling = sampling };
            string? text = parse.GetValue(prompt);
            string? ids = parse.GetValue(tokenIds);
            if ((text is null) == (ids is null)) throw new UsageException("give a prompt, either as text or with --token-ids (not both)");
            if (text is not null)
            {
                request.Text = text;
                if (parse.GetValue(noSpecial)) request.AddSpecialTokens = false;
            }
            else
            {
                request.TokenIds = new TokenIds();
                request.TokenIds.Ids.Add(ParseIds(ids!));
            }
            TimeSpan? deadline = parse.GetValue(timeout) is { } seconds ? TimeSpan.FromSeconds(seconds) : null;

            using var client = global.CreateClient(parse);
            var result = new GenerateResponse();
            bool json = parse.GetValue(global.Json);
            await foreach (var chunk in client.GenerateStreamAsync(request, deadline, ct))
            {
                Accumulate(result, chunk);
                if (!json && chunk.Text.Length > 0)
                {
                    await output.WriteAsync(chunk.Text);
                    await output.FlushAsync(ct);
                }
            }
            if (json)
            {
                await output.WriteLineAsync(JsonOutput.Format(result));
            }
            else
            {
                // A model without a tokenizer streams ids only: show them rather than nothing.
                if (result.Text.Length == 0 && result.TokenIds.Count > 0) await output.WriteAsync(string.Join(' ', result.TokenIds));
                await output.WriteLineAsync();
                await error.WriteLineAsync(
                    $"[{FinishText(result.FinishReason)}; {result.Usage?.PromptTokens ?? 0} prompt + {result.Usage?.CompletionTokens ?? 0} completion tokens"
                    + (result.AdapterId.Length > 0 ? $"; adapter {result.AdapterId}@{Short(result.AdapterVersion)}]" : "]"));
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static void Accumulate(GenerateResponse result, GenerateChunk chunk)
    {
        if (chunk.AdapterId.Length > 0) result.AdapterId = chunk.AdapterId;
        if (chunk.AdapterVersion.Length > 0) result.AdapterVersion = chunk.AdapterVersion;
        result.Text += chunk.Text;
        result.TokenIds.Add(chunk.TokenIds);
        result.Logprobs.Add(chunk.Logprobs);
        if (chunk.FinishReason != FinishReason.Unspecified) result.FinishReason = chunk.FinishReason;
        if (chunk.Usage is not null) result.Usage = chunk.Usage;
    }

    private static int[] ParseIds(string text)
    {
        var parts = text.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0) throw new UsageException("--token-ids is empty");
        return [.. parts.Select(part => int.TryParse(part, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int id)
            ? id
            : throw new UsageException($"--token-ids: '{part}' is not an integer"))];
    }

    private static string FinishText(FinishReason reason) => reason switch
    {
        FinishReason.Length => "length",
        FinishReason.Eos => "eos",
        FinishReason.StopString => "stop string",
        FinishReason.StopToken => "stop token",
        _ => "unfinished",
    };

    internal static string Short(string version) => version.Length > 12 ? version[..12] : version;
}
