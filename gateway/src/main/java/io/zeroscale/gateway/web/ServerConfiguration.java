package io.zeroscale.gateway.web;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.netty.NettyPipeline;

/** The HTTP server's own limits: time limits per connection and bodies for Netty's refusals. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ServerLimits.class)
public class ServerConfiguration {

  @Bean
  NettyServerCustomizer connectionGuard(ServerLimits limits) {
    return server ->
        server.doOnChannelInit(
            (observer, channel, remote) ->
                ConnectionGuard.install(channel.pipeline(), NettyPipeline.HttpCodec, limits));
  }
}
