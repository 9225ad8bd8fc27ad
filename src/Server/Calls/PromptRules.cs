using Peft.Server.Errors;
using Peft.Server.Hosting;

namespace Peft.Server.Calls;

/// <summary>The request's prompt as token ids: text through the model's tokenizer, or ids as sent.</summary>
internal static class PromptRules
{
    public static IReadOnlyList<int> Tokens(PromptInput? prompt, LoadedModel model)
    {
        switch (prompt)
        {
            case TextPrompt text:
                if (text.Text.Length == 0)
                    throw ApiErrors.Invalid("the prompt text is empty", "prompt");
                if (model.Tokenizer is null)
                    throw ApiErrors.Precondition($"the model at {model.Directory} has no tokenizer (tokenizer.json or tokenizer.model), so text prompts cannot be served; send token_ids", "prompt");
                var tokens = model.Tokenizer.Encode(text.Text, text.AddSpecialTokens);
                return tokens.Count > 0 ? tokens : throw ApiErrors.Invalid("the prompt text encodes to no tokens", "prompt");
            case TokenPrompt { Ids: var ids }:
                if (ids.Count == 0)
                    throw ApiErrors.Invalid("token_ids is empty", "prompt");
                int vocab = model.VocabSize;
                for (int i = 0; i < ids.Count; i++)
                    if (ids[i] < 0 || ids[i] >= vocab)
                        throw ApiErrors.Invalid($"token_ids[{i}] is {ids[i]}, outside the vocabulary [0, {vocab})", "prompt");
                return ids;
            default:
                throw ApiErrors.Invalid("the request has no prompt: set text or token_ids", "prompt");
        }
    }
}
