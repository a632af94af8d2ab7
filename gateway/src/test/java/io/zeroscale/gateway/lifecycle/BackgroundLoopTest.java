package io.zeroscale.gateway.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.Disposables;

class BackgroundLoopTest {

  @Test
  void runsFromStartToStopAndDisposesOfTheLoop() {
    Disposable subscription = Disposables.single();
    int[] runs = {0};
    BackgroundLoop bean =
        new BackgroundLoop() {
          @Override
          protected Disposable run() {
            runs[0]++;
            return subscription;
          }
        };
    assertThat(bean.isRunning()).isFalse();
    bean.stop(); // before a start: nothing to stop

    bean.start();
    assertThat(runs[0]).isEqualTo(1);
    assertThat(bean.isRunning()).isTrue();
    assertThat(subscription.isDisposed()).isFalse();

    bean.stop();
    assertThat(bean.isRunning()).isFalse();
    assertThat(subscription.isDisposed()).isTrue();
    bean.stop(); // twice: still stopped
    assertThat(bean.isRunning()).isFalse();
  }
}
