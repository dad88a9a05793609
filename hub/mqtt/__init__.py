"""The hub's MQTT side: one supervised paho client per worker process."""

from hub.mqtt.link import BrokerAddress, MqttLink

__all__ = ["BrokerAddress", "MqttLink"]
