using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Google.Protobuf;
using Grpc.Core;
using Peft.Protos.V1;

namespace Peft.LoadTests.Chaos;

/// <summary>
/// The inputs of issue 11's list, each sent to a real server, each followed by a check that everyone else is still
/// served. Items 1 and 4 (a full disk) are the disk-full trials and item 3 (churn) is the soak.
/// </summary>
internal sealed partial class BadInputMatrix(ChaosEnvironment environment, ChaosReport report, ExpectedOutputs expected, TextWriter log)
{
    public async Task RunAsync(ServerProcess server, ServerLayout layout)
    {
        var items = new (string Name, Func<Task> Run)[]
        {
            ("2 long whitespace-free prompt", () => LongWordAsync(server)),
            ("5 NaN in numeric fields", () => NaNAsync(server, layout)),
            ("6 stop_token_ids [-1]", () => NegativeStopTokenAsync(server)),
            ("7 undecodable messages", () => UndecodableAsync(server)),
            ("8 start-up errors", StartupErrorsAsync),
            ("9 secrets in --help", SecretsInHelpAsync),
            ("10 failed upload leaves nothing", () => FailedUploadAsync(server, layout)),
            ("11 symbolic link out of the data root", () => DataRootEscapeAsync(server, layout)),
            ("12 unexpected checkpoint tensors", UnexpectedTensorsAsync),
            ("13 MaxWaitingRequests under concurrent submissions", QueueBoundAsync),
            ("14 no root paths in admin messages", () => RootPathsAsync(server)),
        };
        foreach (var (name, run) in items)
        {
            string trial = $"bad input {name}";
            log.WriteLine($"{trial}...");
            try
            {
                await run();
            }
            catch (Exception e) when (e is ChaosException or RpcException or IOException)
            {
                report.Fail(trial, "the check runs", e.Message);
            }
            await StillServes(trial, server);
        }
    }

    private async Task LongWordAsync(ServerProcess server)
    {
        const string trial = "bad input 2";
        // Letters without a space or a repeat the tokenizer can shortcut: pre-tokenization sees one word.
        var letters = new Random(11);
        string word = string.Create(400_000, letters, (span, r) => { for (int i = 0; i < span.Length; i++) span[i] = (char)('a' + r.Next(26)); });
        var clock = Stopwatch.StartNew();
        var outcome = await server.Client.GenerateAsync(new GenerateRequest
        {
            Text = word,
            Sampling = new SamplingParams { MaxNewTokens = 4 },
        });
        Expect(trial, outcome.Status, outcome.Detail, StatusCode.InvalidArgument, StatusCode.ResourceExhausted);
        if (clock.Elapsed > TimeSpan.FromSeconds(5))
            report.Fail(trial, "work per request is bounded before it starts", $"a 400 kB one-word prompt took {clock.Elapsed.TotalSeconds:0.0} s to refuse");
        var training = KillTrials.TrainingRequest("long-word", steps: 2);
        training.TrainJsonl = ByteString.CopyFromUtf8($"{{\"prompt\": \"{word[..150_000]}\", \"completion\": \" x\"}}");
        clock.Restart();
        var job = await server.Client.StartTrainingAsync(training);
        if (job.Status == StatusCode.Internal) report.InternalOne(trial, job.Detail);
        if (clock.Elapsed > TimeSpan.FromSeconds(5))
            report.Fail(trial, "work per request is bounded before it starts", $"a dataset line of one 150 kB word took {clock.Elapsed.TotalSeconds:0.0} s to answer");
    }

    private async Task NaNAsync(ServerProcess server, ServerLayout layout)
    {
        const string trial = "bad input 5";
        var before = Directory.Exists(layout.Jobs) ? Directory.GetDirectories(layout.Jobs).Length : 0;
        var cases = new (string Field, Action<StartTrainingRequest> Set)[]
        {
            ("weight_decay", r => r.Hyperparameters.WeightDecay = double.NaN),
            ("max_grad_norm", r => r.Hyperparameters.MaxGradNorm = double.NaN),
            ("lora_dropout", r => r.Lora.LoraDropout = double.NaN),
            ("validation_fraction", r => r.ValidationFraction = double.NaN),
            ("learning_rate", r => r.Hyperparameters.LearningRate = double.PositiveInfinity),
            ("lora_alpha", r => r.Lora.LoraAlpha = double.NaN),
            ("epochs", r => r.Hyperparameters.Epochs = double.NegativeInfinity),
        };
        foreach (var (field, set) in cases)
        {
            var request = KillTrials.TrainingRequest($"nan-{field.Replace('_', '-')}", steps: 2);
            set(request);
            var outcome = await server.Client.StartTrainingAsync(request);
            Expect($"{trial} {field}", outcome.Status, outcome.Detail, StatusCode.InvalidArgument);
            if (outcome.Status == StatusCode.InvalidArgument && !outcome.Detail.Contains(field, StringComparison.Ordinal))
                report.Fail($"{trial} {field}", "the message names the field", outcome.Detail);
        }
        int after = Directory.Exists(layout.Jobs) ? Directory.GetDirectories(layout.Jobs).Length : 0;
        if (after != before) report.Fail(trial, "a refused job leaves nothing", $"{after - before} job directories appeared");
        foreach (var (field, set) in new (string, Action<SamplingParams>)[]
        {
            ("temperature", s => s.Temperature = float.NaN),
            ("top_p", s => s.TopP = float.NaN),
            ("min_p", s => s.MinP = float.NaN),
            ("repetition_penalty", s => s.RepetitionPenalty = float.PositiveInfinity),
            ("presence_penalty", s => s.PresencePenalty = float.NaN),
            ("frequency_penalty", s => s.FrequencyPenalty = float.NegativeInfinity),
        })
        {
            var request = Ids();
            set(request.Sampling);
            var outcome = await server.Client.GenerateAsync(request);
            Expect($"{trial} {field}", outcome.Status, outcome.Detail, StatusCode.InvalidArgument);
        }
    }

    private async Task NegativeStopTokenAsync(ServerProcess server)
    {
        var request = Ids();
        request.Sampling.StopTokenIds.Add(-1);
        var outcome = await server.Client.GenerateAsync(request);
        Expect("bad input 6", outcome.Status, outcome.Detail, StatusCode.InvalidArgument);
    }

    private async Task UndecodableAsync(ServerProcess server)
    {
        const string trial = "bad input 7";
        byte[] valid = Ids().ToByteArray();
        var text = new GenerateRequest { Text = "ab", Sampling = new SamplingParams { MaxNewTokens = 2 } }.ToByteArray();
        int at = Array.IndexOf(text, (byte)'a');
        text[at] = 0xFF;
        text[at + 1] = 0xFE;
        var serving = await RawUnaryAsync(server.Client.ServingChannel, "peft.v1.Generation", "Generate", valid[..^3], null);
        Expect($"{trial} truncated request", serving.Status, serving.Detail, StatusCode.InvalidArgument);
        var utf8 = await RawUnaryAsync(server.Client.ServingChannel, "peft.v1.Generation", "Generate", text, null);
        Expect($"{trial} invalid UTF-8", utf8.Status, utf8.Detail, StatusCode.InvalidArgument);
        var admin = await RawUnaryAsync(server.Client.AdminChannel, "peft.v1.Adapters", "LoadAdapter", [0x0A, 0x05, 0x61], null);
        Expect($"{trial} admin without a key", admin.Status, admin.Detail, StatusCode.Unauthenticated);
        var keyed = await RawUnaryAsync(server.Client.AdminChannel, "peft.v1.Adapters", "LoadAdapter", [0x0A, 0x05, 0x61], server.Client.AdminKey);
        Expect($"{trial} admin with the key", keyed.Status, keyed.Detail, StatusCode.InvalidArgument);
    }

    private async Task StartupErrorsAsync()
    {
        const string trial = "bad input 8";
        var layout = ServerLayout.Under(environment, "startup");
        await ExpectExit($"{trial} unknown key", [.. layout.Arguments(), "--Server:NoSuchKey=1"], 2, "NoSuchKey");
        using (var busy = new TcpListener(IPAddress.Loopback, 0))
        {
            busy.Start();
            int port = ((IPEndPoint)busy.LocalEndpoint).Port;
            var server = ServerProcess.Launch(environment, layout.Arguments(), servingPort: port);
            await using var _ = server;
            int? code = await server.WaitForExitAsync(TimeSpan.FromMinutes(2));
            CheckExit($"{trial} port in use", server, code, 2, port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        var help = ServerProcess.Launch(environment, ["--help"]);
        await using (help)
        {
            int? code = await help.WaitForExitAsync(TimeSpan.FromSeconds(20));
            if (code != 0 || !help.Output.Contains("--port", StringComparison.Ordinal))
                report.Fail($"{trial} --help", "--help prints the options and exits 0", $"exit {code?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none (still running)"}: {ServerProcess.Tail(help.Output, 5)}");
        }
    }

    private async Task ExpectExit(string trial, IEnumerable<string> arguments, int code, string named)
    {
        var server = ServerProcess.Launch(environment, arguments);
        await using var _ = server;
        CheckExit(trial, server, await server.WaitForExitAsync(TimeSpan.FromMinutes(2)), code, named);
    }

    private void CheckExit(string trial, ServerProcess server, int? exit, int code, string named)
    {
        string output = server.Output;
        if (exit != code) report.Fail(trial, $"start-up errors exit {code}", $"exit {exit?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none (still running)"}: {ServerProcess.Tail(output, 5)}");
        if (output.Contains("   at ", StringComparison.Ordinal)) report.Fail(trial, "one line per problem, no stack trace", ServerProcess.Tail(output, 5));
        if (!output.Contains(named, StringComparison.Ordinal)) report.Fail(trial, "the message names the problem", $"'{named}' not in: {ServerProcess.Tail(output, 5)}");
    }

    private async Task SecretsInHelpAsync()
    {
        const string secret = "chaos-secret-7f3a";
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(environment.CliDll);
        start.ArgumentList.Add("--help");
        start.Environment["PEFT_API_KEY"] = secret;
        start.Environment["PEFT_ADMIN_KEY"] = secret;
        using var process = Process.Start(start)!;
        string output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (output.Contains(secret, StringComparison.Ordinal)) report.Fail("bad input 9", "never print a secret", "peft --help shows the API keys from the environment");
    }

    private async Task FailedUploadAsync(ServerProcess server, ServerLayout layout)
    {
        const string trial = "bad input 10";
        using var call = server.Client.Adapters.UploadAdapter(server.Client.AdminKey, DateTime.UtcNow.AddMinutes(1));
        try
        {
            await call.RequestStream.WriteAsync(new UploadAdapterChunk { Header = new UploadHeader { AdapterId = "broken-upload" } });
            await call.RequestStream.WriteAsync(new UploadAdapterChunk { File = new FileChunk { FileName = "adapter_config.json", Data = ByteString.CopyFromUtf8("{not json") } });
            await call.RequestStream.WriteAsync(new UploadAdapterChunk { File = new FileChunk { FileName = "adapter_model.safetensors", Data = ByteString.CopyFromUtf8("x") } });
            await call.RequestStream.CompleteAsync();
            await call.ResponseAsync;
            report.Fail(trial, "a bad upload is refused", "it was accepted");
        }
        catch (RpcException e)
        {
            Expect(trial, e.StatusCode, e.Status.Detail, StatusCode.InvalidArgument);
        }
        string left = Path.Combine(layout.Store, "adapters", "broken-upload");
        if (Directory.Exists(left)) report.Fail(trial, "a failed upload leaves nothing", $"{Path.GetRelativePath(layout.Store, left)} is left behind");
        foreach (string orphan in StoreOrphans.Find(layout.Store, (await server.Client.ListAsync()).Select(a => a.Path)))
            report.Fail(trial, "a failed upload leaves nothing", orphan);
    }

    private async Task DataRootEscapeAsync(ServerProcess server, ServerLayout layout)
    {
        const string trial = "bad input 11";
        string outside = environment.Fresh("outside-data");
        await File.WriteAllTextAsync(Path.Combine(outside, "train.jsonl"), "{\"prompt\": \"a\", \"completion\": \" b\"}\n");
        string link = Path.Combine(layout.DataRoot, "escape");
        if (!Directory.Exists(link)) Directory.CreateSymbolicLink(link, outside);
        var request = KillTrials.TrainingRequest("escaped", steps: 2);
        request.TrainPath = "escape/train.jsonl";
        var outcome = await server.Client.StartTrainingAsync(request);
        Expect(trial, outcome.Status, outcome.Detail, StatusCode.InvalidArgument, StatusCode.PermissionDenied);
    }

    private async Task RootPathsAsync(ServerProcess server)
    {
        const string trial = "bad input 14";
        foreach (string path in (string[])["llama/adapters/missing", "llama/../../etc", "/etc"])
        {
            var outcome = await server.Client.LoadAsync("root-paths", path);
            if (outcome.Detail.Contains(environment.HfRoot, StringComparison.Ordinal))
                report.Fail(trial, "messages name a root by index or name, not its absolute path", $"{path}: {outcome.Detail}");
        }
    }

    private void Expect(string trial, StatusCode actual, string detail, params StatusCode[] wanted)
    {
        if (actual == StatusCode.Internal) report.InternalOne(trial, detail);
        else if (!wanted.Contains(actual)) report.Fail(trial, $"answered {string.Join(" or ", wanted)}", $"{actual}: {detail}");
    }

    private async Task StillServes(string trial, ServerProcess server)
    {
        if (server.HasExited)
            throw new ChaosException($"{trial}: the server exited with {server.ExitCode}:\n{ServerProcess.Tail(server.Output)}");
        var solo = await server.Client.GenerateAsync("", ExpectedOutputs.Prompt, ExpectedOutputs.NewTokens);
        report.Requested();
        if (!solo.Ok || !expected.Check("", solo.Tokens))
            report.Fail(trial, "everyone else is still served", $"{solo.Status} {solo.Detail}");
    }

    private static GenerateRequest Ids()
    {
        var request = new GenerateRequest { TokenIds = new TokenIds(), Sampling = new SamplingParams { MaxNewTokens = 4, IgnoreEos = true } };
        request.TokenIds.Ids.Add(ExpectedOutputs.Prompt);
        return request;
    }

    /// <summary>A unary call with raw request bytes, so undecodable messages can be sent.</summary>
    private static async Task<Outcome<byte[]>> RawUnaryAsync(Grpc.Net.Client.GrpcChannel channel, string service, string method, byte[] body, Metadata? headers)
    {
        var marshaller = Marshallers.Create(b => b, b => b);
        var rpc = new Method<byte[], byte[]>(MethodType.Unary, service, method, marshaller, marshaller);
        try
        {
            return new Outcome<byte[]>(StatusCode.OK, "", await channel.CreateCallInvoker().AsyncUnaryCall(rpc, null, new CallOptions(headers, DateTime.UtcNow.AddMinutes(1)), body));
        }
        catch (RpcException e)
        {
            return new Outcome<byte[]>(e.StatusCode, e.Status.Detail, null);
        }
    }
}
