using Peft.Protos.V1;
using Peft.Runtime.Validation;
using Peft.Server.Errors;
using Peft.Server.Hosting;

namespace Peft.Server.Services;

/// <summary>The request's prompt as token ids: text through the model's tokenizer, or ids as sent.</summary>
internal static class PromptMapper
{
    /// <exception cref="OperationCanceledException">The call was cancelled (or its deadline passed) while tokenizing.</exception>
    public static IReadOnlyList<int> Tokens(GenerateRequest request, LoadedModel model, CancellationToken cancellationToken)
    {
        switch (request.PromptCase)
        {
            case GenerateRequest.PromptOneofCase.Text:
                if (request.Text.Length == 0)
                    throw RpcErrors.Invalid("the prompt text is empty");
                if (model.Tokenizer is null)
                    throw RpcErrors.Precondition("the served model has no tokenizer (tokenizer.json or tokenizer.model), so text prompts cannot be served; send token_ids");
                if (PromptText.TooLarge(request.Text, model.Engine.Options.MaxPromptBytes) is { } tooLarge)
                    throw RpcErrors.Invalid(tooLarge);
                var tokens = model.Tokenizer.Encode(request.Text, request.HasAddSpecialTokens ? request.AddSpecialTokens : true, cancellationToken);
                return tokens.Count > 0 ? tokens : throw RpcErrors.Invalid("the prompt text encodes to no tokens");
            case GenerateRequest.PromptOneofCase.TokenIds:
                var ids = request.TokenIds.Ids;
                if (ids.Count == 0)
                    throw RpcErrors.Invalid("token_ids is empty");
                if (TokenIdRange.FirstOutside(ids, model.VocabSize) is { } bad)
                    throw RpcErrors.Invalid($"token_ids[{bad}] is {ids[bad]}, outside the vocabulary [0, {model.VocabSize})");
                return [.. ids];
            default:
                throw RpcErrors.Invalid("the request has no prompt: set text or token_ids");
        }
    }
}
