using Grpc.Core;
using Peft.Protos.V1;
using Peft.Server.Tests.Support;

namespace Peft.Server.Tests;

public sealed class ErrorServer : SharedServer
{
    protected override (string Id, string Path)[] Adapters => [("prompt", "llama/adapters/prompt")];
}

/// <summary>Bad generation requests get a precise status naming the problem, and the server keeps serving.</summary>
public sealed class GenerationErrorTests(ErrorServer fixture) : IClassFixture<ErrorServer>
{
    public static TheoryData<string, string> BadSampling => new()
    {
        { "temperature=-1", "temperature" },
        { "temperature=101", "temperature" },
        { "top_k=-2", "top_k" },
        { "top_p=0", "top_p" },
        { "top_p=1.5", "top_p" },
        { "min_p=2", "min_p" },
        { "repetition_penalty=0", "repetition_penalty" },
        { "presence_penalty=3", "presence_penalty" },
        { "frequency_penalty=-3", "frequency_penalty" },
        { "stop_token_ids=384", "stop_token_ids" },
        { "top_logprobs=21", "top_logprobs" },
        { "stop=", "stop" },
        { "stop*17", "stop" },
    };

    [Fact]
    public async Task A_multitask_adapter_serves_the_task_asked_for_and_task_ids_are_checked()
    {
        var info = await fixture.Client.UploadAdapterAsync("tasks", Peft.Testing.Fixtures.MethodsAdapter("llama", "mpt"), replace: true);
        Assert.Equal("MULTITASK_PROMPT_TUNING", info.PeftType);
        Assert.Equal(3u, info.NumTasks);

        GenerateRequest Task(string adapter, uint? task)
        {
            var request = Requests.Ids(adapter: adapter, maxNewTokens: 4);
            if (task is { } t) request.TaskId = t;
            return request;
        }
        var first = await fixture.Client.GenerateAsync(Task("tasks", 0));
        var third = await fixture.Client.GenerateAsync(Task("tasks", 2));
        Assert.Equal(4, first.TokenIds.Count);
        Assert.NotEqual(first.TokenIds, third.TokenIds);

        Assert.Contains("task_id is required", await Requests.Fails(StatusCode.InvalidArgument, () => fixture.Client.GenerateAsync(Task("tasks", null))), StringComparison.Ordinal);
        Assert.Contains("task_id 3 is outside", await Requests.Fails(StatusCode.InvalidArgument, () => fixture.Client.GenerateAsync(Task("tasks", 3))), StringComparison.Ordinal);
        Assert.Contains("has no tasks", await Requests.Fails(StatusCode.InvalidArgument, () => fixture.Client.GenerateAsync(Task("prompt", 0))), StringComparison.Ordinal);
        Assert.Contains("without an adapter", await Requests.Fails(StatusCode.InvalidArgument, () => fixture.Client.GenerateAsync(Task("", 0))), StringComparison.Ordinal);
        Assert.Equal(first.TokenIds, (await fixture.Client.GenerateAsync(Task("tasks", 0))).TokenIds);
    }

    [Theory]
    [MemberData(nameof(BadSampling))]
    public async Task Sampling_values_out_of_range_are_invalid_argument_naming_the_field(string setting, string field)
    {
        var request = Requests.Ids();
        Apply(request.Sampling, setting);

        string detail = await Requests.Fails(StatusCode.InvalidArgument, () => fixture.Client.GenerateAsync(request));
        string streamDetail = await Requests.Fails(StatusCode.InvalidArgument, async () =>
        {
            await foreach (var _ in fixture.Client.GenerateStreamAsync(request))
            {
            }
        });

        Assert.Contains(field, detail);
        Assert.Equal(detail, streamDetail);
    }

    [Fact]
    public async Task A_request_without_a_prompt_is_invalid_argument()
    {
        var request = new GenerateRequest { Sampling = new SamplingParams { MaxNewTokens = 4 } };
        Assert.Contains("no prompt", await Requests.Fails(StatusCode.InvalidArgument, () => fixture.Client.GenerateAsync(request)));
    }

    [Fact]
    public async Task Empty_prompts_are_invalid_argument()
    {
        Assert.Contains("empty", await Requests.Fails(StatusCode.InvalidArgument, () => fixture.Client.GenerateAsync(Requests.Text(""))));
        Assert.Contains("empty", await Requests.Fails(StatusCode.InvalidArgument, () => fixture.Client.GenerateAsync(Requests.Ids([]))));
    }

    [Theory]
    [InlineData(384)]
    [InlineData(-1)]
    [InlineData(int.MaxValue)]
    public async Task Token_ids_outside_the_vocabulary_are_invalid_argument(int id)
    {
        string detail = await Requests.Fails(StatusCode.InvalidArgument, () => fixture.Client.GenerateAsync(Requests.Ids([5, id, 6])));
        Assert.Contains($"token_ids[1] is {id}", detail);
        Assert.Contains("384", detail);
    }

    [Fact]
    public async Task A_prompt_that_fills_the_context_is_invalid_argument()
    {
        string detail = await Requests.Fails(StatusCode.InvalidArgument, () => fixture.Client.GenerateAsync(Requests.Ids(Enumerable.Repeat(5, 256).ToArray())));
        Assert.Contains("context", detail);
        // With the adapter's virtual tokens the limit is reached sooner, and the message says so.
        string withAdapter = await Requests.Fails(StatusCode.InvalidArgument,
            () => fixture.Client.GenerateAsync(Requests.Ids(Enumerable.Repeat(5, 254).ToArray(), adapter: "prompt")));
        Assert.Contains("virtual tokens", withAdapter);
    }

    [Fact]
    public async Task After_bad_requests_the_server_still_serves()
    {
        await Requests.Fails(StatusCode.InvalidArgument, () => fixture.Client.GenerateAsync(Requests.Ids([999])));
        var response = await fixture.Client.GenerateAsync(Requests.Ids(maxNewTokens: 3));
        Assert.Equal(3, response.TokenIds.Count);
        // The engine releases a request's blocks before its response completes.
        Requests.AssertFreed(fixture.Server, "the response");
    }

    private static void Apply(SamplingParams sampling, string setting)
    {
        if (setting == "stop*17")
        {
            for (int i = 0; i < 17; i++) sampling.Stop.Add($"s{i}");
            return;
        }
        var (name, value) = (setting.Split('=')[0], setting.Split('=')[1]);
        switch (name)
        {
            case "temperature": sampling.Temperature = float.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
            case "top_k": sampling.TopK = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
            case "top_p": sampling.TopP = float.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
            case "min_p": sampling.MinP = float.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
            case "repetition_penalty": sampling.RepetitionPenalty = float.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
            case "presence_penalty": sampling.PresencePenalty = float.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
            case "frequency_penalty": sampling.FrequencyPenalty = float.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
            case "stop_token_ids": sampling.StopTokenIds.Add(int.Parse(value, System.Globalization.CultureInfo.InvariantCulture)); break;
            case "top_logprobs": sampling.TopLogprobs = uint.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
            case "stop": sampling.Stop.Add(value); break;
            default: throw new ArgumentException(setting);
        }
    }
}
