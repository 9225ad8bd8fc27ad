using Peft.Runtime.Models;

namespace Peft.Runtime.Adapters.Lora;

/// <summary>What a LoRA-style config's factors are, once read: block modules, and the head and embedding modules.</summary>
internal sealed record LoraFactors(Dictionary<int, LoraModule> Modules, LoraModule? Head, LoraEmbeddingModule? Embedding)
{
    public const string KeyPrefix = "base_model.model.";

    /// <summary>
    /// PEFT LoRA keys: <c>base_model.model.&lt;module&gt;.lora_A.weight</c> [r, in] and <c>.lora_B.weight</c> [out, r] for
    /// every targeted linear (the head included); <c>&lt;embedding&gt;.lora_embedding_A</c> [r, vocab] and
    /// <c>lora_embedding_B</c> [hidden, r] for the token embedding. Every targeted module must have both, and the
    /// config's targets must all exist in the base model.
    /// </summary>
    public static LoraFactors Read(AdapterWeights weights, BaseModel baseModel, LoraConfig config, bool headAndEmbedding = true)
    {
        var files = weights.Files;
        var targeted = config.Targets.Linears($"adapter '{files.Name}'", baseModel, "LoRA", head: headAndEmbedding, embedding: headAndEmbedding);
        var modules = new Dictionary<int, LoraModule>();
        LoraModule? head = null;
        foreach (var site in targeted)
        {
            var (rank, scaling) = config.Resolve(site.Path);
            string hint = $"r = {rank} for {site.Path}";
            var a = weights.Take(Key(site.Path, "A"), [rank, site.InFeatures], hint);
            var b = weights.Take(Key(site.Path, "B"), [site.OutFeatures, rank], hint);
            var module = new LoraModule(site, a, b, rank, scaling);
            if (site.IsHead) head = module;
            else modules[site.Index] = module;
        }
        LoraEmbeddingModule? embedding = null;
        string path = baseModel.EmbeddingPath;
        if (headAndEmbedding && config.Targets.Matches(path))
        {
            var (rank, scaling) = config.Resolve(path);
            string hint = $"r = {rank} for {path}";
            var a = weights.Take($"{KeyPrefix}{path}.lora_embedding_A", [rank, baseModel.Config.VocabSize], hint);
            var b = weights.Take($"{KeyPrefix}{path}.lora_embedding_B", [baseModel.Config.HiddenSize, rank], hint);
            embedding = new LoraEmbeddingModule(a, b, rank, scaling);
        }
        return new LoraFactors(modules, head, embedding);
    }

    public static string Key(string module, string matrix) => $"{KeyPrefix}{module}.lora_{matrix}.weight";

    /// <summary>Every targeted module name (head and embedding included).</summary>
    public IEnumerable<LinearSite> Linears => Modules.Values.Select(m => m.Site).Concat(Head is null ? [] : [Head.Site]);
}
