package dev.reverb.runtime.backend;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.TokenUsage;
import dev.reverb.agents.model.CallContext;
import dev.reverb.agents.model.ChatMessage;
import dev.reverb.agents.model.GenerateRequest;
import dev.reverb.agents.model.Generation;
import dev.reverb.agents.model.ModelBackend;
import dev.reverb.agents.model.Phase;
import dev.reverb.agents.model.Sampling;
import java.util.ArrayList;
import java.util.List;

/**
 * Any Reverb backend as a LangChain4j {@link ChatModel}, e.g. the in-process DJL model:
 * {@code ChatModel model = new BackendChatModel(new DjlBackend(...))}. Calls block the calling
 * thread until the backend answers (LangChain4j's synchronous contract); unset sampling
 * parameters take {@link Sampling#DEFAULT}'s values.
 */
public final class BackendChatModel implements ChatModel {

    private final ModelBackend backend;

    public BackendChatModel(ModelBackend backend) {
        this.backend = backend;
    }

    @Override
    public ChatResponse doChat(ChatRequest request) {
        List<ChatMessage> messages = new ArrayList<>();
        for (dev.langchain4j.data.message.ChatMessage m : request.messages()) {
            if (m instanceof SystemMessage s) {
                messages.add(ChatMessage.system(s.text()));
            } else if (m instanceof UserMessage u) {
                messages.add(ChatMessage.user(u.singleText()));
            } else if (m instanceof AiMessage a) {
                messages.add(ChatMessage.assistant(a.text() == null ? "" : a.text()));
            } else {
                throw new IllegalArgumentException("unsupported message type " + m.type());
            }
        }
        var p = request.parameters();
        Sampling d = Sampling.DEFAULT;
        Sampling sampling = new Sampling(p.temperature() == null ? d.temperature() : p.temperature(),
                p.topP() == null ? d.topP() : p.topP(), p.maxOutputTokens() == null ? d.maxTokens() : p.maxOutputTokens(),
                p.stopSequences() == null ? List.of() : p.stopSequences(), null);
        CallContext context = new CallContext("langchain4j", "external", "langchain4j", "external", 0,
                Phase.ANSWER);
        Generation g = backend.generate(new GenerateRequest(messages, sampling, 1, context)).toCompletableFuture().join();
        return ChatResponse.builder().aiMessage(AiMessage.from(g.text())).modelName(g.model())
                .tokenUsage(new TokenUsage(g.promptTokens(), g.completionTokens())).build();
    }
}
