using Google.Protobuf.WellKnownTypes;
using Peft.Protos.V1;
using Peft.Runtime.Models.Config;
using Peft.Runtime.Training;
using Peft.Runtime.Training.Datasets;
using Peft.Runtime.Training.Jobs;
using Peft.Runtime.Training.Methods;
using Peft.Runtime.Training.Optimization;
using Peft.Server.Errors;
using Peft.Server.Calls;
using ProtoJob = Peft.Protos.V1.TrainingJob;
using ProtoJobState = Peft.Protos.V1.TrainingJobState;
using ProtoProgress = Peft.Protos.V1.TrainingProgress;
using RuntimeProgress = Peft.Runtime.Training.TrainingProgress;

namespace Peft.Server.Services;

/// <summary>Proto ↔ runtime for the Training service; unset numbers take the documented defaults.</summary>
internal static class TrainingMapper
{
    public static TrainingJobSpec Spec(StartTrainingRequest request, ModelFamily family)
    {
        var method = Method(request, family);
        var h = request.Hyperparameters ?? new TrainingHyperparameters();
        double defaultRate = method.DefaultLearningRate;
        return new TrainingJobSpec
        {
            AdapterId = AdapterIdRules.Require(request.AdapterId),
            Replace = request.Replace,
            Method = method,
            ValidationFraction = request.ValidationFraction,
            Dataset = new DatasetOptions
            {
                MaxSequenceLength = (int)Math.Min(request.MaxSequenceLength, int.MaxValue),
                OverLong = request.OverLong == Protos.V1.OverLongPolicy.Truncate ? Runtime.Training.Datasets.OverLongPolicy.Truncate : Runtime.Training.Datasets.OverLongPolicy.Reject,
            },
            Trainer = new TrainerOptions
            {
                LearningRate = h.LearningRate == 0 ? defaultRate : h.LearningRate,
                WeightDecay = h.WeightDecay,
                Schedule = h.Schedule switch
                {
                    Protos.V1.LearningRateSchedule.Cosine => LearningRateScheduleKind.Cosine,
                    Protos.V1.LearningRateSchedule.Constant => LearningRateScheduleKind.Constant,
                    _ => LearningRateScheduleKind.Linear,
                },
                WarmupSteps = Int(h.WarmupSteps, "warmup_steps"),
                MaxSteps = Int(h.MaxSteps, "max_steps"),
                Epochs = h.Epochs == 0 ? 1 : h.Epochs,
                MicroBatchSize = h.BatchSize == 0 ? 8 : Int(h.BatchSize, "batch_size"),
                GradientAccumulation = h.GradientAccumulationSteps == 0 ? 1 : Int(h.GradientAccumulationSteps, "gradient_accumulation_steps"),
                MaxGradNorm = h.MaxGradNorm switch { 0 => 1.0, < 0 => 0, var n => n },
                Seed = h.Seed == 0 ? 42 : unchecked((long)h.Seed),
                EvalEvery = h.EvalEvery == 0 ? 50 : Int(h.EvalEvery, "eval_every"),
                CheckpointEvery = h.CheckpointEvery == 0 ? 50 : Int(h.CheckpointEvery, "checkpoint_every"),
            },
        };
    }

    private static MethodSpec Method(StartTrainingRequest request, ModelFamily family) => request.MethodCase switch
    {
        StartTrainingRequest.MethodOneofCase.Lora => new LoraSpec(new LoraTrainingConfig
        {
            Rank = request.Lora.R == 0 ? 8 : Int(request.Lora.R, "r"),
            Alpha = request.Lora.LoraAlpha == 0 ? 2 * (request.Lora.R == 0 ? 8 : request.Lora.R) : request.Lora.LoraAlpha,
            UseRsLora = request.Lora.UseRslora,
            Dropout = request.Lora.LoraDropout,
            TargetModules = request.Lora.TargetModules switch
            {
                { Count: 0 } => family == ModelFamily.Gpt2 ? ["c_attn"] : ["q_proj", "v_proj"],
                [var only] when only == "all-linear" => [],
                var list => [.. list],
            },
        }),
        StartTrainingRequest.MethodOneofCase.PromptTuning => new PromptTuningSpec(new PromptTuningTrainingConfig
        {
            VirtualTokens = Tokens(request.PromptTuning.NumVirtualTokens),
            InitText = request.PromptTuning.InitText.Length == 0 ? null : request.PromptTuning.InitText,
        }),
        StartTrainingRequest.MethodOneofCase.PTuning => new PTuningSpec(new PTuningTrainingConfig
        {
            VirtualTokens = Tokens(request.PTuning.NumVirtualTokens),
            EncoderHiddenSize = request.PTuning.EncoderHiddenSize == 0 ? 128 : Int(request.PTuning.EncoderHiddenSize, "encoder_hidden_size"),
        }),
        StartTrainingRequest.MethodOneofCase.PrefixTuning => new PrefixTuningSpec(new PrefixTuningTrainingConfig
        {
            VirtualTokens = Tokens(request.PrefixTuning.NumVirtualTokens),
            Projection = request.PrefixTuning.PrefixProjection,
            EncoderHiddenSize = request.PrefixTuning.EncoderHiddenSize == 0 ? 128 : Int(request.PrefixTuning.EncoderHiddenSize, "encoder_hidden_size"),
        }),
        StartTrainingRequest.MethodOneofCase.PeftConfig => new PeftConfigSpec(request.PeftConfig),
        _ => throw ApiErrors.Invalid("method is not set: choose lora, prompt_tuning, p_tuning, prefix_tuning or peft_config"),
    };

    private static int Tokens(uint n) => n == 0 ? 16 : Int(n, "num_virtual_tokens");

    private static int Int(uint value, string field) =>
        value <= int.MaxValue ? (int)value : throw ApiErrors.Invalid($"{field} {value} is too large");

    public static ProtoJob Job(TrainingJobInfo info)
    {
        var job = new ProtoJob
        {
            JobId = info.JobId,
            AdapterId = info.Spec.AdapterId,
            PeftType = info.Spec.Method.PeftType,
            State = info.State switch
            {
                Runtime.Training.Jobs.TrainingJobState.Queued => ProtoJobState.Queued,
                Runtime.Training.Jobs.TrainingJobState.Running => ProtoJobState.Running,
                Runtime.Training.Jobs.TrainingJobState.Registering => ProtoJobState.Registering,
                Runtime.Training.Jobs.TrainingJobState.Succeeded => ProtoJobState.Succeeded,
                Runtime.Training.Jobs.TrainingJobState.Failed => ProtoJobState.Failed,
                _ => ProtoJobState.Cancelled,
            },
            Error = info.Error ?? "",
            AdapterVersion = info.AdapterVersion ?? "",
            CreatedAt = Timestamp.FromDateTimeOffset(info.CreatedAt),
        };
        if (info.Progress is { } p) job.Progress = Progress(p);
        if (info.FinishedAt is { } finished) job.FinishedAt = Timestamp.FromDateTimeOffset(finished);
        return job;
    }

    public static ProtoProgress Progress(RuntimeProgress p)
    {
        var progress = new ProtoProgress
        {
            Step = (uint)p.Step,
            TotalSteps = (uint)p.TotalSteps,
            Epoch = p.Epoch,
            Loss = p.Loss,
            LearningRate = p.LearningRate,
            TokensPerSecond = p.TokensPerSecond,
            ElapsedSeconds = p.Elapsed.TotalSeconds,
            EtaSeconds = p.EstimatedRemaining?.TotalSeconds ?? 0,
        };
        if (p.EvalLoss is { } eval) progress.EvalLoss = eval;
        return progress;
    }
}
