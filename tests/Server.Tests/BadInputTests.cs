using Google.Protobuf;
using Grpc.Core;
using Peft.Protos.V1;
using Peft.Server.Tests.Support;

namespace Peft.Server.Tests;

public sealed class BadInputServer : SharedServer;

/// <summary>
/// Inputs an adversarial client sent (issue 11): each is refused with a precise status naming the field or limit,
/// leaves nothing behind, and the server goes on serving everyone else the same output as before.
/// </summary>
public sealed class BadInputTests(BadInputServer fixture) : IClassFixture<BadInputServer>
{
    private static string Jsonl(int count) => string.Join('\n', Enumerable.Range(0, count)
        .Select(i => $"{{\"prompt\": \"item {i} =>\", \"completion\": \" {(i % 2 == 0 ? "even" : "odd")}\"}}"));

    private async Task StillServes()
    {
        var response = await fixture.Client.GenerateAsync(Requests.Ids(maxNewTokens: 3));
        Assert.Equal(3, response.TokenIds.Count);
        Requests.AssertFreed(fixture.Server, "the response");
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    [InlineData(384)]
    public async Task A_stop_token_id_outside_the_vocabulary_is_invalid_argument(int id)
    {
        var request = Requests.Ids();
        request.Sampling.StopTokenIds.Add(id);
        string detail = await Requests.Fails(StatusCode.InvalidArgument, () => fixture.Client.GenerateAsync(request));
        Assert.Contains($"stop_token_ids contains {id}", detail);
        await StillServes();
    }

    public static TheoryData<string, float> NotFiniteSampling => new()
    {
        { "temperature", float.NaN },
        { "temperature", float.PositiveInfinity },
        { "top_p", float.NaN },
        { "min_p", float.NaN },
        { "repetition_penalty", float.NaN },
        { "presence_penalty", float.NegativeInfinity },
        { "frequency_penalty", float.NaN },
    };

    [Theory]
    [MemberData(nameof(NotFiniteSampling))]
    public async Task A_sampling_number_that_is_not_finite_is_invalid_argument_naming_the_field(string field, float value)
    {
        var request = Requests.Ids();
        var s = request.Sampling;
        switch (field)
        {
            case "temperature": s.Temperature = value; break;
            case "top_p": s.TopP = value; break;
            case "min_p": s.MinP = value; break;
            case "repetition_penalty": s.RepetitionPenalty = value; break;
            case "presence_penalty": s.PresencePenalty = value; break;
            default: s.FrequencyPenalty = value; break;
        }
        string detail = await Requests.Fails(StatusCode.InvalidArgument, () => fixture.Client.GenerateAsync(request));
        Assert.Contains($"{field} is ", detail);
        Assert.Contains("finite", detail);
        await StillServes();
    }

    public static TheoryData<string> NotFiniteTraining => ["weight_decay", "max_grad_norm", "lora_dropout", "validation_fraction", "learning_rate", "epochs", "lora_alpha"];

    [Theory]
    [MemberData(nameof(NotFiniteTraining))]
    public async Task A_training_number_that_is_nan_is_invalid_argument_and_leaves_no_job_directory(string field)
    {
        var request = new StartTrainingRequest
        {
            AdapterId = $"nan-{field.Replace('_', '-')}",
            Lora = new LoraMethod { R = 4, LoraAlpha = 8 },
            Hyperparameters = new TrainingHyperparameters { LearningRate = 1e-2, MaxSteps = 2 },
            TrainJsonl = ByteString.CopyFromUtf8(Jsonl(8)),
        };
        var h = request.Hyperparameters;
        switch (field)
        {
            case "weight_decay": h.WeightDecay = double.NaN; break;
            case "max_grad_norm": h.MaxGradNorm = double.NaN; break;
            case "lora_dropout": request.Lora.LoraDropout = double.NaN; break;
            case "validation_fraction": request.ValidationFraction = double.NaN; break;
            case "learning_rate": h.LearningRate = double.NaN; break;
            case "epochs": h.MaxSteps = 0; h.Epochs = double.NaN; break;
            default: request.Lora.LoraAlpha = double.NaN; break;
        }
        string jobs = fixture.Server.StoreDirectory + "-jobs";
        int before = Directory.GetDirectories(jobs).Length;

        string detail = await Requests.Fails(StatusCode.InvalidArgument, () => fixture.Client.StartTrainingAsync(request));

        Assert.Contains($"{field} is NaN", detail);
        Assert.Equal(before, Directory.GetDirectories(jobs).Length);
        Assert.DoesNotContain(await fixture.Client.ListTrainingJobsAsync(), j => j.AdapterId == request.AdapterId);
        await StillServes();
    }

    [Fact]
    public async Task A_text_prompt_over_the_byte_limit_is_invalid_argument_naming_the_limit()
    {
        // One whitespace-free word just under gRPC's 4 MiB message limit: it used to keep a core busy for minutes.
        var request = Requests.Text(new string('a', 3_900_000));
        string detail = await Requests.Fails(StatusCode.InvalidArgument, () => fixture.Client.GenerateAsync(request));
        Assert.Contains("Engine:MaxPromptBytes", detail);
        Assert.Contains("1048576", detail);
        await StillServes();
    }

    [Fact]
    public async Task A_long_word_under_the_limit_is_served()
    {
        // 200 KB without a space: cut into bounded chunks, tokenized in linear time, then refused for the context.
        string detail = await Requests.Fails(StatusCode.InvalidArgument, () => fixture.Client.GenerateAsync(Requests.Text(new string('x', 200_000))));
        Assert.Contains("context", detail);
        await StillServes();
    }

    [Fact]
    public async Task A_stop_string_over_the_length_limit_is_invalid_argument()
    {
        var request = Requests.Ids();
        request.Sampling.Stop.Add(new string('s', 1025));
        string detail = await Requests.Fails(StatusCode.InvalidArgument, () => fixture.Client.GenerateAsync(request));
        Assert.Contains("1024", detail);
        await StillServes();
    }
}
