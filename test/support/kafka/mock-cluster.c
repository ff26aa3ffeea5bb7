/*
 * A librdkafka mock cluster as a process, for the Kafka tests. Prints "bootstrap <host:port>" on
 * stdout once listening, then reads one command per line on stdin and answers "ok" or "error <text>":
 *   create <topic> <partitions>   creates a topic (kafkajs's createTopics does not work on the mock)
 *   down | up                     takes every broker down (connections refused) or back up
 *   hide <topic> | show <topic>   makes a topic look missing (the mock creates topics on first use)
 * It exits when stdin closes (so a killed test never leaves it behind).
 */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
  int brokers = argc > 1 ? atoi(argv[1]) : 1;
  char errstr[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  if (rd_kafka_conf_set(conf, "log_level", "0", errstr, sizeof errstr) != RD_KAFKA_CONF_OK) {
    fprintf(stderr, "conf: %s\n", errstr);
    return 1;
  }
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (!rk) {
    fprintf(stderr, "rd_kafka_new: %s\n", errstr);
    return 1;
  }
  rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(rk, brokers < 1 ? 1 : brokers);
  if (!mc) {
    fprintf(stderr, "cannot create the mock cluster\n");
    return 1;
  }
  printf("bootstrap %s\n", rd_kafka_mock_cluster_bootstraps(mc));
  fflush(stdout);

  char line[1024];
  while (fgets(line, sizeof line, stdin)) {
    char topic[512];
    int partitions = 0;
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
    if (sscanf(line, "create %511s %d", topic, &partitions) == 2) {
      err = rd_kafka_mock_topic_create(mc, topic, partitions, 1);
    } else if (sscanf(line, "hide %511s", topic) == 1) {
      rd_kafka_mock_topic_set_error(mc, topic, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
    } else if (sscanf(line, "show %511s", topic) == 1) {
      rd_kafka_mock_topic_set_error(mc, topic, RD_KAFKA_RESP_ERR_NO_ERROR);
    } else if (strncmp(line, "down", 4) == 0) {
      err = rd_kafka_mock_broker_set_down(mc, -1);
    } else if (strncmp(line, "up", 2) == 0) {
      err = rd_kafka_mock_broker_set_up(mc, -1);
    } else {
      printf("error unknown command\n");
      fflush(stdout);
      continue;
    }
    if (err) printf("error %s\n", rd_kafka_err2str(err));
    else printf("ok\n");
    fflush(stdout);
  }
  rd_kafka_mock_cluster_destroy(mc);
  rd_kafka_destroy(rk);
  return 0;
}
