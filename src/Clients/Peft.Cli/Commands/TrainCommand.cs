using System.CommandLine;
using Peft.Protos.V1;

namespace Peft.Cli.Commands;

/// <summary>
/// <c>peft train ADAPTER-ID --data train.jsonl [--method lora|prompt|ptuning|prefix] [...]</c>: uploads the data, starts
/// a job on the server and follows it with a progress bar (step, loss, ETA) and a loss curve; exits 0 when the
/// adapter is registered. <c>--detach</c> prints the job id and returns at once.
/// </summary>
internal static class TrainCommand
{
    public static Command Create(GlobalOptions global, TextWriter output, TextWriter error)
    {
        var id = new Argument<string>("adapter-id") { Description = "The id the trained adapter is registered under" };
        var data = new Option<string?>("--data", "-d") { Description = "Local training JSONL ({\"prompt\",\"completion\"} or {\"text\"} per line)" };
        var serverData = new Option<string?>("--server-data") { Description = "Training JSONL on the server, relative to its data root" };
        var validation = new Option<string?>("--validation") { Description = "Local validation JSONL" };
        var validationFraction = new Option<double>("--validation-fraction") { Description = "Hold out this fraction of the training data instead" };
        var method = new Option<string>("--method", "-m") { Description = "lora (default), prompt, ptuning or prefix", DefaultValueFactory = _ => "lora" };
        var rank = new Option<uint>("--rank", "-r") { Description = "LoRA rank (default 8)" };
        var alpha = new Option<double>("--alpha") { Description = "LoRA alpha (default 2 × rank)" };
        var rslora = new Option<bool>("--rslora") { Description = "Scale LoRA by alpha/sqrt(r)" };
        var dropout = new Option<double>("--dropout") { Description = "LoRA dropout" };
        var targets = new Option<string?>("--targets") { Description = "LoRA target modules, comma-separated, or all-linear (default q_proj,v_proj)" };
        var virtualTokens = new Option<uint>("--virtual-tokens") { Description = "Prompt-learning virtual tokens (default 16)" };
        var initText = new Option<string?>("--init-text") { Description = "Prompt tuning: initialise from this text" };
        var encoderHidden = new Option<uint>("--encoder-hidden") { Description = "P-tuning / prefix projection MLP width (default 128)" };
        var projection = new Option<bool>("--projection") { Description = "Prefix tuning: reparameterise through an MLP" };
        var lr = new Option<double>("--lr") { Description = "Learning rate (default 1e-3 LoRA, 3e-2 prompt learning)" };
        var steps = new Option<uint>("--steps") { Description = "Optimizer steps (default: from --epochs)" };
        var epochs = new Option<double>("--epochs") { Description = "Passes over the data (default 1)" };
        var batch = new Option<uint>("--batch-size") { Description = "Examples per micro-batch (default 8)" };
        var accumulation = new Option<uint>("--grad-accum") { Description = "Micro-batches per optimizer step (default 1)" };
        var warmup = new Option<uint>("--warmup") { Description = "Warmup steps" };
        var schedule = new Option<string>("--schedule") { Description = "linear (default), cosine or constant", DefaultValueFactory = _ => "linear" };
        var seed = new Option<ulong>("--seed") { Description = "Seed (default 42)" };
        var maxLength = new Option<uint>("--max-seq-len") { Description = "Longest example in tokens (default 256)" };
        var truncate = new Option<bool>("--truncate") { Description = "Truncate over-long examples instead of refusing the data" };
        var replace = new Option<bool>("--replace") { Description = "Replace an adapter registered under this id when done" };
        var detach = new Option<bool>("--detach") { Description = "Print the job id and return without following it" };
        var command = new Command("train", "Train an adapter on the server's base model and register it when done.")
        {
            id, data, serverData, validation, validationFraction, method, rank, alpha, rslora, dropout, targets, virtualTokens, initText,
            encoderHidden, projection, lr, steps, epochs, batch, accumulation, warmup, schedule, seed, maxLength, truncate, replace, detach,
        };
        command.SetAction(async (parse, ct) =>
        {
            var request = new StartTrainingRequest
            {
                AdapterId = parse.GetValue(id)!,
                Replace = parse.GetValue(replace),
                ValidationFraction = parse.GetValue(validationFraction),
                MaxSequenceLength = parse.GetValue(maxLength),
                OverLong = parse.GetValue(truncate) ? OverLongPolicy.Truncate : OverLongPolicy.Reject,
                Hyperparameters = new TrainingHyperparameters
                {
                    LearningRate = parse.GetValue(lr),
                    MaxSteps = parse.GetValue(steps),
                    Epochs = parse.GetValue(epochs),
                    BatchSize = parse.GetValue(batch),
                    GradientAccumulationSteps = parse.GetValue(accumulation),
                    WarmupSteps = parse.GetValue(warmup),
                    Seed = parse.GetValue(seed),
                    Schedule = parse.GetValue(schedule) switch
                    {
                        "linear" => LearningRateSchedule.Linear,
                        "cosine" => LearningRateSchedule.Cosine,
                        "constant" => LearningRateSchedule.Constant,
                        var s => throw new UsageException($"--schedule '{s}' is not one of linear, cosine, constant"),
                    },
                },
            };
            switch (parse.GetValue(method))
            {
                case "lora":
                    request.Lora = new LoraMethod { R = parse.GetValue(rank), LoraAlpha = parse.GetValue(alpha), UseRslora = parse.GetValue(rslora), LoraDropout = parse.GetValue(dropout) };
                    if (parse.GetValue(targets) is { } t) request.Lora.TargetModules.Add(t.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                    break;
                case "prompt":
                    request.PromptTuning = new PromptTuningMethod { NumVirtualTokens = parse.GetValue(virtualTokens), InitText = parse.GetValue(initText) ?? "" };
                    break;
                case "ptuning":
                    request.PTuning = new PTuningMethod { NumVirtualTokens = parse.GetValue(virtualTokens), EncoderHiddenSize = parse.GetValue(encoderHidden) };
                    break;
                case "prefix":
                    request.PrefixTuning = new PrefixTuningMethod
                    {
                        NumVirtualTokens = parse.GetValue(virtualTokens), PrefixProjection = parse.GetValue(projection), EncoderHiddenSize = parse.GetValue(encoderHidden),
                    };
                    break;
                default:
                    throw new UsageException($"--method '{parse.GetValue(method)}' is not one of lora, prompt, ptuning, prefix");
            }

            using var client = global.CreateClient(parse);
            TrainingJob job;
            if (parse.GetValue(serverData) is { } remote)
            {
                request.TrainPath = remote;
                job = await client.StartTrainingAsync(request, ct);
            }
            else
            {
                string local = parse.GetValue(data) ?? throw new UsageException("give the training data: --data FILE (local) or --server-data PATH (on the server)");
                job = await client.StartTrainingAsync(request, local, parse.GetValue(validation), ct);
            }
            bool json = parse.GetValue(global.Json);
            if (parse.GetValue(detach))
            {
                await output.WriteLineAsync(json ? JsonOutput.Format(job) : job.JobId);
                return ExitCodes.Ok;
            }
            if (!json) await error.WriteLineAsync($"job {job.JobId}: training {job.PeftType} adapter '{job.AdapterId}'");
            return await JobsCommand.FollowAsync(client, job.JobId, output, error, json, ct);
        });
        return command;
    }
}
